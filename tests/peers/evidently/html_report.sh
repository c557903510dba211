#!/usr/bin/env bash
# Renders a drift report and a profile page with the real binary, loads both in headless
# Chromium (Debian's `chromium`, installed here if missing), fails on console errors or
# a missing verdict, and leaves screenshots in target/html-screenshots/ for a person.
#
#   bash tests/peers/evidently/html_report.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$root/target/html-screenshots
mkdir -p "$out"
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd "$root" && cargo build -q -p datagate)
dg=$root/target/debug/datagate
work=$(mktemp -d)
python3 - "$work" <<'PY'
import csv, random, sys
random.seed(7)
d = sys.argv[1]
for name, n, shift in (("ref", 3000, 0.0), ("cur", 2500, 0.4)):
    with open(f"{d}/{name}.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["amount", "score", "country", "label", "age"])
        for i in range(n):
            w.writerow([round(random.lognormvariate(3 + shift, 1), 2), round(random.betavariate(2 + shift, 5), 4),
                        random.choice(["US", "GB", "DE", "FR", "IN"] + (["BR", "BR"] if shift else [])),
                        int(random.random() < 0.08), random.randint(18, 80)])
PY
"$dg" drift "$work/ref.csv" "$work/cur.csv" --format html -o "$work/drift.html" || true
"$dg" profile "$work/ref.csv" -o "$work/ref.profile.json" --html "$work/profile.html"
status=0
for page in drift profile; do
  log=$work/$page.log
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2400 \
    --enable-logging=stderr --v=0 --screenshot="$out/$page.png" "file://$work/$page.html" 2>"$log" >/dev/null || true
  dom=$(chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$work/$page.html" 2>/dev/null)
  if grep -q "CONSOLE" "$log" && grep "CONSOLE" "$log" | grep -qi "error"; then
    echo "FAIL $page: console errors"; grep CONSOLE "$log"; status=1
  fi
  [ -s "$out/$page.png" ] || { echo "FAIL $page: no screenshot"; status=1; }
  case $page in
    drift) echo "$dom" | grep -q "dataset drift detected" || { echo "FAIL drift: verdict missing"; status=1; }
           [ "$(echo "$dom" | grep -o "<svg" | wc -l)" -ge 5 ] || { echo "FAIL drift: plots missing"; status=1; } ;;
    profile) [ "$(echo "$dom" | grep -o "<svg" | wc -l)" -ge 5 ] || { echo "FAIL profile: plots missing"; status=1; } ;;
  esac
  if grep -Eq "(src|href)=[\"']?(https?:)?//" "$work/$page.html"; then echo "FAIL $page: references the network"; status=1; fi
  echo "ok $page -> $out/$page.png"
done
rm -rf "$work"
exit $status
