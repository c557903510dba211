#!/usr/bin/env bash
# Regenerate the Great Expectations peer fixtures in tests/fixtures/gx/.
# Needs python3 (>= 3.9) and network access to PyPI. Rust tests do NOT need this:
# they read the committed fixtures.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
VENV="${PEERS_GX_VENV:-/tmp/peers-gx}"
GX_VERSION="1.24.1"
PANDAS_VERSION="2.3.3"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import great_expectations as gx, pandas as pd, sys; sys.exit(0 if (gx.__version__, pd.__version__) == ('$GX_VERSION', '$PANDAS_VERSION') else 1)" 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet "great_expectations==$GX_VERSION" "pandas==$PANDAS_VERSION"
fi
# GX would otherwise phone home with usage statistics.
export GX_ANALYTICS_ENABLED=false
cd "$ROOT"
"$VENV/bin/python" "$HERE/make_fixtures.py" --out "$ROOT/tests/fixtures/gx" "$@"
