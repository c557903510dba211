#!/usr/bin/env bash
# Model scanner benchmark: datagate vs picklescan 1.0.5 and modelscan 0.8.8, in one run.
#
#   bench/model_scan.sh [BIG_MB=500] [RUNS=3]
#
# Data (bench/model_scan_gen.py, a copy of the shared gen_pickles.py; pickles are written,
# never loaded): small/ = 200 benign + 5 malicious pickles; big/big.pkl and big/big.npy = one
# benign float32 array of BIG_MB MB. For each workload every tool runs once as a warm-up, then
# RUNS times; the median wall time and peak RSS (GNU time) are printed with the ratios.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
big_mb=${1:-500}
runs=${2:-3}
venv=/tmp/bench-modelscan
data=/tmp/datagate-bench-models-$big_mb

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q numpy picklescan==1.0.5 modelscan==0.8.8
[ -f "$data/manifest.json" ] || "$venv/bin/python" "$here/model_scan_gen.py" --out "$data" --big-mb "$big_mb"
# `datagate model scan`; if the workspace's binary does not build right now (other crates
# mid-change), the scanner's example driver runs the same library calls.
if (cd "$root" && cargo build -q --release -p datagate 2>/dev/null); then
  dg_cmd=("$root/target/release/datagate" model scan)
else
  (cd "$root" && cargo build -q --release -p datagate-modelscan --example scan)
  dg_cmd=("$root/target/release/examples/scan")
  echo "note: datagate binary did not build; using crates/modelscan/examples/scan.rs (same library calls)"
fi

# median of RUNS runs after one warm-up: prints "wall_s rss_mib" (wall from bash's
# EPOCHREALTIME, microseconds; peak RSS from GNU time)
measure() {
  local walls=() rss=() tf w m i t0 t1
  for i in $(seq 0 "$runs"); do
    tf=$(mktemp)
    t0=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$tf" "$@" >/dev/null 2>&1 || true
    t1=$EPOCHREALTIME
    m=$(tail -n 1 "$tf"); rm -f "$tf"
    w=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b - a}')
    if [ "$i" -gt 0 ]; then walls+=("$w"); rss+=("$m"); fi
  done
  printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')" \
    "$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END{printf "%.1f", a[int((NR+1)/2)]/1024}')"
}

row() { # label path [size_mb]
  local label=$1 path=$2 mb=${3:-0} d p m
  d=$(measure "${dg_cmd[@]}" "$path" --format json)
  p=$(measure "$venv/bin/picklescan" --path "$path")
  m=$(measure "$venv/bin/modelscan" -p "$path")
  awk -v l="$label" -v d="$d" -v p="$p" -v m="$m" -v mb="$mb" 'BEGIN{
    split(d, D, " "); split(p, P, " "); split(m, M, " ");
    printf "%-28s datagate %7.4f s %7.1f MiB | picklescan %7.3f s %7.1f MiB (%.1fx) | modelscan %7.3f s %7.1f MiB (%.1fx)\n",
      l, D[1], D[2], P[1], P[2], P[1]/(D[1]>0?D[1]:0.001), M[1], M[2], M[1]/(D[1]>0?D[1]:0.001);
    if (mb > 0) printf "%-28s datagate effective throughput %.0f MB/s (array bytes are skipped, not read)\n", "", mb/(D[1]>0?D[1]:0.001) }'
}

# sanity: the datagate command must produce a real report, or the timings mean nothing
{ "${dg_cmd[@]}" "$data/small" --format json || true; } | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; assert s["files"] > 0, s' \
  || { echo "datagate did not produce a report; aborting" >&2; exit 2; }
echo "machine: $(nproc) cores; runs=$runs (median after a warm-up); ratio = peer time / datagate time"
n_small=$(find "$data/small" -type f | wc -l)
row "small/ ($n_small pickles)" "$data/small"
size=$(du -m "$data/big/big.pkl" | cut -f1)
row "big.pkl (${size} MB)" "$data/big/big.pkl" "$size"
row "big.npy (${size} MB)" "$data/big/big.npy" "$size"

# correctness on the same data: the 5 malicious pickles, nothing else
"${dg_cmd[@]}" "$data/small" --format json > /tmp/datagate-bench-models.json || true
python3 - "$data/manifest.json" /tmp/datagate-bench-models.json <<'EOF'
import json, os, sys
truth = json.load(open(sys.argv[1]))
got = {os.path.relpath(f["path"], os.path.dirname(sys.argv[1])): f["verdict"] for f in json.load(open(sys.argv[2]))["files"]}
bad = [k for k, mal in truth.items() if k.startswith("small/") and (got.get(k) == "malicious") != mal]
print(f"datagate verdicts on small/: {sum(v == 'malicious' for v in got.values())} malicious, {len(bad)} disagreements with the manifest {bad[:5]}")
EOF
# throughput of the big file, for reference: a cold sequential read of it
sync; cat "$data/big/big.pkl" > /dev/null
t0=$EPOCHREALTIME; cat "$data/big/big.pkl" > /dev/null; t1=$EPOCHREALTIME
awk -v a="$t0" -v b="$t1" -v mb="$size" 'BEGIN{printf "reference: cat big.pkl (page cache warm) %.3f s = %.0f MB/s\n", b - a, mb / (b - a)}'
