#!/usr/bin/env bash
# Regenerate crates/drift/tests/fixtures/scipy_ks.json and scipy_tests.json from scipy (PyPI).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."
venv=/tmp/peers-scipy
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q scipy numpy
"$venv/bin/python" "$here/gen_fixtures.py" "$root/crates/drift/tests/fixtures/scipy_ks.json" \
    "$root/crates/drift/tests/fixtures/scipy_tests.json"
echo "wrote crates/drift/tests/fixtures/scipy_ks.json and scipy_tests.json"
