#!/usr/bin/env bash
# datagate drift vs Evidently 0.7.23 DataDriftPreset on the same generated reference
# and drifted current "transactions" files, in one run; prints wall time, peak RSS,
# the ratio, and whether the per-column verdicts agree.
#
#   bench/drift.sh [ROWS] [RUNS]      defaults: 1000000 rows per side, 3 runs (Evidently: 1)
#
# Data: bench/peers/gen_data.py (reference seed 42; current seed 43 with --drift: amount
# x1.3, score Beta(2,5)->Beta(2.5,5), country mix moves, status moves slightly).
# Both tools get the same roles: numerical transaction_amount, score; categorical status,
# country, label. Peers go into a venv under $BENCH_DIR (default /tmp/datagate-bench).
set -euo pipefail
rows=${1:-1000000}
runs=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-/tmp/datagate-bench}
venv=$work/venv-drift
mkdir -p "$work"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q evidently==0.7.23 pandas==2.3.3 numpy==2.4.6 pyarrow==26.0.1
fi
py=$venv/bin/python
ref=$work/tx_$rows
cur=$work/tx_${rows}_current
[ -f "$ref.parquet" ] || "$py" "$root/bench/peers/gen_data.py" --rows "$rows" --seed 42 --out "$ref" >&2
[ -f "$cur.parquet" ] || "$py" "$root/bench/peers/gen_data.py" --rows "$rows" --seed 43 --drift --out "$cur" >&2
[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$root" && cargo build --release -q -p datagate) || [ -x "$root/target/release/datagate" ]
dg=${DATAGATE_BIN:-$root/target/release/datagate}

# time_cmd RUNS OUTFILE CMD...: "median_wall_s peak_rss_mib" over RUNS runs (after a warm-up
# unless RUNS is 1); the command's stdout of the last run goes to OUTFILE.
time_cmd() {
  local n=$1 out=$2; shift 2
  local walls=() rss=() start=1
  [ "$n" -le 1 ] && start=0
  for i in $(seq "$start" "$n"); do
    local tf; tf=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$tf" "$@" >"$out" 2>"$work/last.err" || true
    read -r w m < <(tail -n 1 "$tf"); rm -f "$tf"
    if [ "$i" -gt 0 ]; then walls+=("$w"); rss+=("$m"); fi
  done
  local mw mr
  mw=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  mr=$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END{printf "%.0f", a[int((NR+1)/2)]/1024}')
  echo "$mw $mr"
}

roles=(--numerical transaction_amount,score --categorical status,country,label)
for fmt in parquet csv; do
  read -r dw dm < <(time_cmd "$runs" "$work/dg_drift.json" "$dg" drift "$ref.$fmt" "$cur.$fmt" "${roles[@]}" --format json)
  if [ "${SKIP_EVIDENTLY:-0}" = 1 ]; then ew=0; em=0; echo '{}' > "$work/ev_drift.json"; else
  read -r ew em < <(time_cmd 1 "$work/ev_drift.json" env PYTHONPATH="$root/bench/peers" "$py" "$root/bench/peers/evidently_drift.py" "$ref.$fmt" "$cur.$fmt" --out-prefix "$work/ev_drift_$fmt")
  fi
  echo "== drift, $rows vs $rows rows, $fmt"
  printf '  %-22s %8s s %7s MiB\n' "datagate drift" "$dw" "$dm"
  printf '  %-22s %8s s %7s MiB\n' "Evidently 0.7.23" "$ew" "$em"
  awk -v a="$ew" -v b="$dw" 'BEGIN{ if (b > 0 && a > 0) printf "  speed-up: %.1fx\n", a / b }'
  "$py" - "$work/dg_drift.json" "$work/ev_drift.json" <<'PY'
import json, sys
dg = json.load(open(sys.argv[1]))["report"]
lines = [l for l in open(sys.argv[2]) if l.strip().startswith("{")]
ev = json.loads(lines[-1]) if lines else {}
evc = ev.get("columns", {})
agree = 0
for c in dg["columns"]:
    e = evc.get(c["column"], {})
    same = e.get("drift") == c["drift_detected"] and e.get("method") == c["stattest_name"]
    agree += same
    print(f"  {c['column']:<20} datagate {c['stattest_name']:<30} {c['score']:<12.6g} {'DRIFT' if c['drift_detected'] else 'ok':<6}"
          f" | evidently {str(e.get('method')):<30} {str(e.get('score')):<12} {'DRIFT' if e.get('drift') else 'ok':<6} {'same' if same else 'DIFFERENT'}")
print(f"  verdicts: {agree}/{len(dg['columns'])} columns agree; dataset drift datagate={dg['dataset_drift']} "
      f"evidently drifted={ev.get('drifted_columns')}")
PY
done
