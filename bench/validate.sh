#!/usr/bin/env bash
# datagate validate vs Great Expectations 1.x (pandas) and DuckDB SQL, on the same
# generated "transactions" file, in one run.
#
#   bench/validate.sh [ROWS] [RUNS]        defaults: 10000000 rows, 3 runs (GX: 1 run)
#
# Generates ROWS rows with bench/peers/gen_data.py (CSV + Parquet, known injected
# errors), then times, per format: the seed's three checks with datagate, DuckDB
# (hand-written SQL) and GX; and the 20-expectation suite (bench/suites/tx20.json) with
# datagate and GX (both without datagate's quality scores, which GX does not compute; a
# third line shows datagate with them). Prints median wall seconds, peak RSS and the ratios. Peers are
# installed into a virtual environment under $BENCH_DIR (default /tmp/datagate-bench).
# Set SKIP_GX=1 to leave GX out (it needs ~2 minutes and 6 GB per 10M-row run).
set -euo pipefail
rows=${1:-10000000}
runs=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-/tmp/datagate-bench}
venv=$work/venv
mkdir -p "$work"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$root/bench/requirements.txt"
fi
py=$venv/bin/python
data=$work/tx_$rows
if [ ! -f "$data.csv" ] || [ ! -f "$data.parquet" ]; then
  "$py" "$root/bench/peers/gen_data.py" --rows "$rows" --seed 42 --out "$data" >&2
fi
(cd "$root" && cargo build --release -q -p datagate)
dg=$root/target/release/datagate

# time_cmd RUNS CMD...: prints "median_wall_s peak_rss_mib" over RUNS runs (after one warm-up).
time_cmd() {
  local n=$1; shift
  local walls=() rss=()
  for i in $(seq 0 "$n"); do
    local tf; tf=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$tf" "$@" >/dev/null 2>"$work/last.err" || true
    read -r w m < <(tail -n 1 "$tf"); rm -f "$tf"
    if [ "$i" -gt 0 ] || [ "$n" -eq 0 ]; then walls+=("$w"); rss+=("$m"); fi
  done
  local mw mr
  mw=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  mr=$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END{printf "%.0f", a[int((NR+1)/2)]/1024}')
  echo "$mw $mr"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

echo "rows=$rows  csv=$(du -h "$data.csv" | cut -f1)  parquet=$(du -h "$data.parquet" | cut -f1)  cores=$(nproc)"
echo "expected (generator sidecar): $(tr -d '\n ' < "$data.meta.json" | cut -c1-200)"
# Correctness first: datagate's counts on the seed checks.
# (exit code 1 is expected: the generated data breaks the contract on purpose)
"$dg" validate "$data.csv" --suite "$root/bench/suites/seed3.json" --format json --no-quality > "$work/seed3.result.json" || true
"$py" -c 'import json,sys; r=json.load(open(sys.argv[1])); print("datagate counts:", [x["result"]["unexpected_count"] for x in r["results"]])' "$work/seed3.result.json"
printf '%-10s %-8s %-10s %12s %10s %12s\n' suite format tool wall_s rss_MiB "x datagate"
for fmt in csv parquet; do
  f=$data.$fmt
  read -r dw dr < <(time_cmd "$runs" "$dg" validate "$f" --suite "$root/bench/suites/seed3.json" --format json --no-quality)
  printf '%-10s %-8s %-10s %12s %10s %12s\n' seed3 "$fmt" datagate "$dw" "$dr" 1.0x
  read -r kw kr < <(time_cmd "$runs" "$py" "$root/bench/peers/fast_validate.py" "$f" --engine duckdb)
  printf '%-10s %-8s %-10s %12s %10s %12s\n' seed3 "$fmt" duckdb "$kw" "$kr" "$(ratio "$kw" "$dw")"
  if [ -z "${SKIP_GX:-}" ]; then
    read -r gw gr < <(time_cmd 0 "$py" "$root/bench/peers/gx_validate.py" "$f")
    printf '%-10s %-8s %-10s %12s %10s %12s\n' seed3 "$fmt" gx "$gw" "$gr" "$(ratio "$gw" "$dw")"
  fi
  read -r dw dr < <(time_cmd "$runs" "$dg" validate "$f" --suite "$root/bench/suites/tx20.json" --format json --no-quality)
  printf '%-10s %-8s %-10s %12s %10s %12s\n' tx20 "$fmt" datagate "$dw" "$dr" 1.0x
  # The same with quality scores (duplicate rows, completeness), which GX does not compute.
  read -r qw qr < <(time_cmd "$runs" "$dg" validate "$f" --suite "$root/bench/suites/tx20.json" --format json)
  printf '%-10s %-8s %-10s %12s %10s %12s\n' tx20 "$fmt" "dg+quality" "$qw" "$qr" "$(ratio "$qw" "$dw")"
  if [ -z "${SKIP_GX:-}" ]; then
    read -r gw gr < <(time_cmd 0 "$py" "$root/bench/peers/gx_suite.py" "$f" "$root/bench/suites/tx20.json")
    printf '%-10s %-8s %-10s %12s %10s %12s\n' tx20 "$fmt" gx "$gw" "$gr" "$(ratio "$gw" "$dw")"
  fi
done
echo "(ratio column: the tool's wall time divided by datagate's; >1 means datagate is faster)"
