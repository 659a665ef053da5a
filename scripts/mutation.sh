#!/usr/bin/env bash
# Mutation testing of the pure modules, each against its own tests (make mutation; docs/testing.md).
#
# mutmut names a module after its path, so each module is tested in a folder of its own under
# .mutation/ where its package sits at the top (pizza_kitchen/, not pizza-kitchen/pizza_kitchen/), as
# the tests import it; the other packages come from the editable install in .venv-mutation. Usage:
#   scripts/mutation.sh [NAME...]   NAME among: stock_rules ledger history guarded workflows saga
# Each module's score goes to .mutation/<name>/score.txt, its surviving mutants to survivors.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-mutation"
MUTMUT="${MUTMUT:-$VENV/bin/mutmut}"

# mutmut's own environment (requirements-mutation.txt says why), made again when its pins change.
want=$(cat requirements.txt requirements-mutation.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.pizza-deps" 2>/dev/null)" != "$want" ]; then
  echo "mutation: installing mutmut into .venv-mutation" >&2
  [ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt -c constraints.txt
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
  echo "$want" >"$VENV/.pizza-deps"
fi
# Two cores shared with other work: a few children, at low priority.
CHILDREN="${PIZZA_MUTATION_CHILDREN:-2}"

# name: the folder of the package, the package, the module, its tests.
declare -A MODULES=(
  [stock_rules]="pizza-kitchen pizza_kitchen stock_rules.py pizza-kitchen/tests"
  [ledger]="pizza-storefront pizza_storefront ledger.py pizza-storefront/tests"
  [history]="pizza-order pizza_order history.py pizza-order/tests"
  [guarded]=". pizza_common sidecar/guarded.py tests/unit/test_guarded.py"
  [workflows]="pizza-workflow pizza_workflow workflows.py pizza-workflow/tests"
  [saga]="pizza-workflow pizza_workflow saga.py pizza-workflow/tests"
)
ORDER=(stock_rules ledger history guarded workflows saga)

stage() {
  local name="$1" folder package module tests
  read -r folder package module tests <<<"${MODULES[$name]}"
  local dir="$ROOT/.mutation/$name"
  rm -rf "$dir"
  mkdir -p "$dir/tests/own"
  cp -r "$folder/$package" "$dir/$package"
  cp -r tests/support "$dir/tests/support"
  cp conftest.py "$dir/"
  # The module's own tests, under tests/own: a service's tests folder would clash with tests/support's.
  if [ -d "$tests" ]; then cp -r "$tests/." "$dir/tests/own/"; else cp "$tests" "$dir/tests/own/"; fi
  cat >"$dir/pyproject.toml" <<EOF
[tool.mutmut]
source_paths = ["$package"]
only_mutate = ["$package/$module"]
also_copy = ["conftest.py"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-m", "not e2e and not faults and not launch"]
pytest_add_cli_args_test_selection = ["tests/own"]

[tool.pytest.ini_options]
addopts = "--import-mode=importlib"
markers = ["e2e", "launch", "faults", "dapr_hang"]
EOF
  echo "$dir"
}

score() {
  python3 - "$1/mutants/mutmut-cicd-stats.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
tested = s["total"] - s.get("skipped", 0)
killed = s["killed"] + s.get("timeout", 0)
print(f"{killed}/{tested} killed: {100 * killed / tested:.1f} % ({s['survived']} survived, {s.get('no_tests', 0)} untested)")
EOF
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ORDER[@]}")
for name in "${names[@]}"; do
  [ -n "${MODULES[$name]:-}" ] || { echo "mutation: no module $name (one of: ${ORDER[*]})" >&2; exit 2; }
  dir="$(stage "$name")"
  (cd "$dir" && nice "$MUTMUT" run --max-children "$CHILDREN" >"$dir/run.log" 2>&1) || {
    echo "mutation: $name: mutmut failed, see $dir/run.log" >&2; tail -20 "$dir/run.log" >&2; exit 1; }
  (cd "$dir" && "$MUTMUT" export-cicd-stats >/dev/null && "$MUTMUT" results >"$dir/survivors.txt")
  score "$dir" | tee "$dir/score.txt" | sed "s/^/mutation: $name: /"
done
