#!/usr/bin/env bash
# Regenerate crates/drift/tests/fixtures/evidently.json with Evidently 0.7.23 (PyPI).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."
venv=/tmp/peers-evidently
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q evidently==0.7.23 pandas==2.3.3
"$venv/bin/python" "$here/gen_fixtures.py" "$root/crates/drift/tests/fixtures/evidently.json"
echo "wrote crates/drift/tests/fixtures/evidently.json"
