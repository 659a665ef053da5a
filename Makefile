# The suite's commands. `make run` and `make test` do all the set-up they need.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup run stop test lint unit e2e bench test-faults test-hosts test-model

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

bench: setup
	@bash scripts/bench.sh

test-faults: setup
	$(PY) -m pytest -m faults -v

# The suite across three hosts made of network namespaces (root), a host cut off mid-batch; in make test too.
test-hosts: setup
	$(PY) -m pytest tests/hosts -v -s

# The model of the running suite alone (tests/model, in make test too); longer: PIZZA_MODEL_EXAMPLES=200 make test-model.
test-model: setup
	$(PY) -m pytest -m model -s
