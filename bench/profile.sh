#!/usr/bin/env bash
# datagate profile vs whylogs 1.6 on the same generated "transactions" file, in one run;
# prints wall time, peak RSS and the ratio.
#
#   bench/profile.sh [ROWS] [RUNS]      defaults: 10000000 rows, 3 runs (whylogs: 1)
#
# whylogs profiles Parquet in 1M-row chunks merged (its bounded-memory mode; the whole
# frame at 10M rows needs ~5 GB). Peers go into a venv under $BENCH_DIR
# (default /tmp/datagate-bench). SKIP_WHYLOGS=1 leaves whylogs out (~5 min at 10M rows).
set -euo pipefail
rows=${1:-10000000}
runs=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-/tmp/datagate-bench}
venv=$work/venv-profile
mkdir -p "$work"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q whylogs==1.6.4 whylogs-sketching==3.4.1.dev3 pandas==2.3.3 numpy==2.4.6 pyarrow==26.0.1
fi
py=$venv/bin/python
data=$work/tx_$rows
[ -f "$data.parquet" ] || "$py" "$root/bench/peers/gen_data.py" --rows "$rows" --seed 42 --out "$data" >&2
[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$root" && cargo build --release -q -p datagate) || [ -x "$root/target/release/datagate" ]
dg=${DATAGATE_BIN:-$root/target/release/datagate}

time_cmd() {
  local n=$1; shift
  local walls=() rss=() start=1
  [ "$n" -le 1 ] && start=0
  for i in $(seq "$start" "$n"); do
    local tf; tf=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$tf" "$@" >"$work/last.out" 2>"$work/last.err" || true
    read -r w m < <(tail -n 1 "$tf"); rm -f "$tf"
    if [ "$i" -gt 0 ]; then walls+=("$w"); rss+=("$m"); fi
  done
  local mw mr
  mw=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  mr=$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END{printf "%.0f", a[int((NR+1)/2)]/1024}')
  echo "$mw $mr"
}

for fmt in parquet csv; do
  read -r dw dm < <(time_cmd "$runs" "$dg" profile "$data.$fmt" -o "$work/dg_profile_$fmt.json")
  echo "== profile, $rows rows, $fmt"
  printf '  %-34s %8s s %7s MiB\n' "datagate profile" "$dw" "$dm"
  if [ "$fmt" = parquet ] && [ "${SKIP_WHYLOGS:-0}" != 1 ]; then
    read -r ww wm < <(time_cmd 1 env PYTHONPATH="$root/bench/peers" "$py" "$root/bench/peers/whylogs_profile.py" "$data.$fmt" --out "$work/wl.bin" --chunk-rows 1000000)
    printf '  %-34s %8s s %7s MiB\n' "whylogs 1.6 (1M-row chunks)" "$ww" "$wm"
    awk -v a="$ww" -v b="$dw" 'BEGIN{ if (b > 0) printf "  speed-up: %.1fx\n", a / b }'
    tail -n 1 "$work/last.out" | cut -c1-400
  fi
  "$py" - "$work/dg_profile_$fmt.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for c in p["columns"]:
    n = c.get("numeric") or {}
    print(f"  {c['name']:<20} n={c['count']} nulls={c['null_count']} distinct~{c['distinct']['estimate']:.0f}"
          + (f" mean={n['mean']:.4f} min={n['min']} max={n['max']}" if n else ""))
PY
done
