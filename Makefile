# The suite's commands. `make run` and `make test` do all the set-up they need.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup run stop test lint unit e2e bench test-faults test-hosts test-model mutation k8s-up k8s-down k8s-kubectl test-k8s

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

stop:
	@$(PY) -m pizza_run stop
	@bash scripts/controlplane.sh stop

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

unit: setup
	$(PY) -m pytest -m "not e2e and not faults and not launch"

e2e: setup
	$(PY) -m pytest -m e2e

# Every test: lint and types, unit, fuzz, end to end, browser, CLI; the ways of starting it
# (Ctrl+C, a stock `dapr init` machine), each on the suite's own ports; then the crash drills.
test: lint
	$(PY) -m pytest -m "not faults and not launch"
	$(PY) -m pytest -m launch -s
	$(PY) -m pytest -m "faults and not dapr_hang"

# Mutation testing (mutmut) of the pure modules, each against its own tests; MODULES=ledger for one
# (docs/testing.md has the scores and the mutants that survive, each with why).
mutation:
	@bash scripts/mutation.sh $(MODULES)

bench: setup
	@bash scripts/bench.sh

test-faults: setup
	$(PY) -m pytest -m faults -v

# The suite across three hosts made of network namespaces (root), a host cut off mid-batch; in make test too.
test-hosts: setup
	$(PY) -m pytest tests/hosts -v -s

# A Kubernetes cluster on this machine (root, no Docker; docs/kubernetes.md): three nodes in network
# namespaces, built once from the Go module proxy. Not in make test: a cold run is over its hour.
k8s-up:
	@bash scripts/k8s.sh up

k8s-down:
	@bash scripts/k8s.sh down

k8s-kubectl:
	@bash scripts/k8s.sh kubectl $(ARGS)

# Dapr's Helm chart, Redis and the shop on that cluster, then an order, the access-control policy and
# the drills (a pod deleted, a node cut off, a node's containers killed, each mid-batch).
test-k8s: setup
	@bash scripts/k8s-shop.sh >/dev/null
	PIZZA_K8S_TESTS=1 nsenter --net=/run/netns/pk8s-node1 -- $(PY) -m pytest tests/k8s -v -s

# The model of the running suite alone (tests/model, in make test too); longer: PIZZA_MODEL_EXAMPLES=200 make test-model.
test-model: setup
	$(PY) -m pytest -m model -s
