#!/usr/bin/env bash
# Throughput of `datagate pii scan` vs Microsoft Presidio's analyzer on the same
# free text (MB of text per second), plus datagate alone on a larger file.
#
#   bench/pii.sh [PRESIDIO_MB] [DATAGATE_MB]      defaults: 1 and 50
#
# The text is the labelled corpus from tests/peers/presidio (all 19 entity types
# plus tricky negatives), repeated. Presidio runs with its default recognizers on
# a blank spaCy tokenizer (no NER model can be downloaded here; see
# tests/peers/presidio/run_presidio.py), single process, as its docs show.
# datagate runs `pii scan` (all cores) on the same JSON Lines file.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peer_mb="${1:-1}"
big_mb="${2:-50}"
work="$(mktemp -d /tmp/bench-pii.XXXXXX)"
trap 'rm -rf "$work"' EXIT
venv=/tmp/peers-presidio
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q "presidio-analyzer==2.2.*" "faker==40.*"

echo "building datagate (release)…" >&2
(cd "$root" && cargo build -q --release -p datagate)
dg="$root/target/release/datagate"

make_jsonl() { # $1 = MB of text, $2 = out
  python3 - "$1" "$2" "$root/tests/peers/presidio/corpus.jsonl" <<'PY'
import json, sys
mb, out, corpus = float(sys.argv[1]), sys.argv[2], sys.argv[3]
texts = [json.loads(l)["text"] for l in open(corpus, encoding="utf-8") if l.strip()]
target, n, i = mb * 1e6, 0, 0
with open(out, "w", encoding="utf-8") as f:
    while n < target:
        t = texts[i % len(texts)]
        f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
        n += len(t.encode("utf-8")); i += 1
print(f"{n/1e6:.2f}")
PY
}

small_mb=$(make_jsonl "$peer_mb" "$work/small.jsonl")
big_mb_real=$(make_jsonl "$big_mb" "$work/big.jsonl")

time_of() { # prints wall nanoseconds of "$@"
  local t0 t1
  t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
  echo $((t1 - t0))
}

echo "presidio on ${small_mb} MB of text…" >&2
peer_json=$("$venv/bin/python" "$root/tests/peers/presidio/run_presidio.py" "$work/small.jsonl" - 2>/dev/null | tail -1)
peer_mbps=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['mb_per_s'])" "$peer_json")

"$dg" pii scan "$work/small.jsonl" --format json >/dev/null 2>&1 || true   # warm the page cache
dg_small_s=$(time_of "$dg" pii scan "$work/small.jsonl" --format json)
dg_big_s=$(time_of "$dg" pii scan "$work/big.jsonl" --format json)

python3 - "$small_mb" "$peer_mbps" "$dg_small_s" "$big_mb_real" "$dg_big_s" <<'PY'
import sys
small, peer, dgs, big, dgb = map(float, sys.argv[1:])
dgs, dgb = dgs / 1e9, dgb / 1e9
dg_small = small / dgs
dg_big = big / dgb
print(f"text: {small:.2f} MB (same file for both), {big:.2f} MB (datagate only)")
print(f"presidio-analyzer     {peer:10.3f} MB/s   (analysis only, engine built, 1 process)")
print(f"datagate pii scan     {dg_small:10.3f} MB/s   on the same {small:.2f} MB (whole process: start, read, report)")
print(f"datagate pii scan     {dg_big:10.3f} MB/s   on {big:.2f} MB")
print(f"ratio (same file)     {dg_small/peer:10.1f}x")
print(f"ratio (large file)    {dg_big/peer:10.1f}x")
PY
