#!/usr/bin/env bash
# Regenerate crates/profile/tests/fixtures/datasketches.json with PyPI datasketches.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."
venv=/tmp/peers-datasketches
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q datasketches==5.2.0
mkdir -p "$root/crates/profile/tests/fixtures"
"$venv/bin/python" "$here/gen_fixtures.py" "$root/crates/profile/tests/fixtures/datasketches.json"
echo "wrote crates/profile/tests/fixtures/datasketches.json"
