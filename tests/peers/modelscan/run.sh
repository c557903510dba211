#!/usr/bin/env bash
# Run picklescan 1.0.5, modelscan 0.8.8 and fickling 0.1.12 over datagate's model corpus and
# write their normalised verdicts to verdicts.json (committed; Rust tests compare against it).
#   tests/peers/modelscan/run.sh            # regenerates the corpus too (needs numpy etc.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv=/tmp/peers-modelscan
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q picklescan==1.0.5 modelscan==0.8.8 fickling==0.1.12 typing_extensions numpy joblib scikit-learn h5py lz4
corpus="$root/crates/modelscan/tests/fixtures/corpus"
"$venv/bin/python" "$root/crates/modelscan/tests/fixtures/gen_corpus.py" --out "$corpus"
"$venv/bin/python" "$here/peers.py" "$corpus" "$here/verdicts.json"
echo "wrote $here/verdicts.json"
