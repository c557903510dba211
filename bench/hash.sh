#!/usr/bin/env bash
# Hashing throughput: datagate against sha256sum, `openssl dgst -sha256` (the strong peer) and
# b3sum, on the same multi-GB file set, in one run. Prints MB/s and ratios.
#
#   bench/hash.sh [TOTAL_MIB]        (default 2048: one 1 GiB file + 64 x 16 MiB files)
#
# Files are generated once under ${BENCH_DIR:-/tmp/datagate-bench-hash} and read from the page
# cache (a warm-up pass reads them all first), so this measures hashing, not the disk.
# Each tool runs ${RUNS:-3} times, interleaved with the others; the best wall time is reported.
set -euo pipefail
cd "$(dirname "$0")/.."

TOTAL_MIB=${1:-2048}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/datagate-bench-hash}/set-${TOTAL_MIB}
BIG_MIB=$((TOTAL_MIB / 2))
SMALL_N=$(( (TOTAL_MIB - BIG_MIB) / 16 ))

if [ ! -f "$DIR/.done" ]; then
  echo "generating ${TOTAL_MIB} MiB under $DIR ..." >&2
  rm -rf "$DIR" && mkdir -p "$DIR/shards"
  # Pseudo-random bytes (AES-CTR keystream); `|| true` because head closes the pipe early.
  { openssl enc -aes-128-ctr -pass pass:datagate -nosalt -pbkdf2 </dev/zero 2>/dev/null || true; } \
    | head -c $((BIG_MIB * 1024 * 1024)) >"$DIR/big.bin"
  for i in $(seq -w 1 "$SMALL_N"); do
    { openssl enc -aes-128-ctr -pass pass:"$i" -nosalt -pbkdf2 </dev/zero 2>/dev/null || true; } \
      | head -c $((16 * 1024 * 1024)) >"$DIR/shards/part-$i.bin"
  done
  touch "$DIR/.done"
fi
mapfile -t FILES < <(find "$DIR" -type f ! -name .done | sort)
BYTES=$(cat "${FILES[@]}" | wc -c)   # also warms the page cache

if ! command -v b3sum >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get install -y -qq b3sum >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq b3sum >/dev/null 2>&1; }) || true
fi

if [ -n "${DATAGATE:-}" ]; then
  DG=$DATAGATE
else
  echo "building datagate (release) ..." >&2
  cargo build --release -q -p datagate
  DG=target/release/datagate
fi

# Tools run interleaved, RUNS rounds of all of them, best time per tool: on a shared machine a
# burst of load then hits every tool alike instead of all the runs of one.
NAMES=()
declare -A CMDS SECS
tool() { local name=$1; shift; NAMES+=("$name"); CMDS[$name]=$(printf '%q ' "$@"); }

tool "sha256sum (1 core)"               sha256sum "${FILES[@]}"
tool "openssl dgst -sha256 (1 core)"    openssl dgst -sha256 "${FILES[@]}"
tool "datagate sha256, 1 core"          taskset -c 0 "$DG" hash -q --algo sha256 "$DIR"
tool "datagate sha256, 2 cores"         "$DG" hash -q --algo sha256 "$DIR"
if command -v b3sum >/dev/null 2>&1; then
  tool "b3sum (2 cores)"                b3sum "${FILES[@]}"
  # Like datagate, reading with read(2) instead of mmap.
  tool "b3sum --no-mmap (2 cores)"      b3sum --no-mmap "${FILES[@]}"
fi
tool "datagate blake3, 2 cores"         "$DG" hash -q --algo blake3 "$DIR"
tool "datagate sha256+blake3, 2 cores"  "$DG" hash -q --algo both "$DIR"

for _ in $(seq "$RUNS"); do
  for name in "${NAMES[@]}"; do
    t0=$(date +%s.%N); eval "${CMDS[$name]}" >/dev/null; t1=$(date +%s.%N)
    SECS[$name]=$(echo "$t0 $t1 ${SECS[$name]:-999999}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
done

# Agreement check: datagate's sha256 lines are sha256sum's.
if ! "$DG" hash -q --algo sha256 "${FILES[@]}" | sha256sum -c --quiet -; then
  echo "MISMATCH between datagate and sha256sum" >&2; exit 1
fi

MB=$(echo "$BYTES" | awk '{print $1/1e6}')
base=${SECS["sha256sum (1 core)"]}
ossl=${SECS["openssl dgst -sha256 (1 core)"]}
dg_sha=${SECS["datagate sha256, 2 cores"]}
echo
echo "hashing $(printf '%.0f' "$MB") MB in ${#FILES[@]} files, best of $RUNS, page cache warm, $(nproc) cores"
printf '%-34s %9s %10s %12s %12s\n' tool seconds MB/s "vs sha256sum" "vs openssl"
for name in "${NAMES[@]}"; do
  s=${SECS[$name]}
  awk -v n="$name" -v s="$s" -v mb="$MB" -v b="$base" -v o="$ossl" \
    'BEGIN{printf "%-34s %9.3f %10.0f %11.2fx %11.2fx\n", n, s, mb/s, b/s, o/s}'
done
echo
awk -v a="${SECS["datagate sha256, 1 core"]}" -v b="$base" \
  'BEGIN{printf "target: datagate SHA-256 on one core >= 95%% of sha256sum: %.0f%%\n", 100*b/a}'
awk -v a="${SECS["datagate blake3, 2 cores"]}" -v b="$dg_sha" \
  'BEGIN{printf "target: datagate BLAKE3 (2 cores) >= 2x its SHA-256: %.2fx\n", b/a}'
