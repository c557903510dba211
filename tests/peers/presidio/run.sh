#!/usr/bin/env bash
# Regenerates the committed fixtures: corpus.jsonl, customers.csv (make_corpus.py)
# and presidio.json (run_presidio.py). Needs Python 3 and PyPI; nothing else.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv=/tmp/peers-presidio
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q "presidio-analyzer==2.2.*" "faker==40.*"
"$venv/bin/python" "$here/make_corpus.py"
"$venv/bin/python" "$here/run_presidio.py" "$here/corpus.jsonl" "$here/presidio.json"
