#!/usr/bin/env bash
# Checks that suites written by `datagate suite suggest` load in Great Expectations 1.x
# unchanged and pass on the reference they were suggested from, for every fixture dataset
# with rows. Uses the venv made by run.sh (creates it if missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
venv=/tmp/peers-gx
[ -x "$venv/bin/python" ] || bash "$root/tests/peers/gx/run.sh" >/dev/null
(cd "$root" && cargo build -q -p datagate)
dg=$root/target/debug/datagate
tmp=$(mktemp -d)
fail=0
for data in "$root"/tests/fixtures/gx/data/*.csv; do
  name=$(basename "$data" .csv)
  [ "$(wc -l < "$data")" -gt 1 ] || continue
  "$dg" suite suggest "$data" -o "$tmp/$name.json" 2>/dev/null
  verdict=$("$venv/bin/python" - "$data" "$tmp/$name.json" 2>/dev/null <<'PY'
import json, sys
import great_expectations as gx
data, suite_path = sys.argv[1], sys.argv[2]
raw = json.load(open(suite_path))
ctx = gx.get_context(mode="ephemeral")
bd = ctx.data_sources.add_pandas("p").add_csv_asset("a", filepath_or_buffer=data).add_batch_definition_whole_dataframe("b")
suite = ctx.suites.add(gx.ExpectationSuite(**raw))
res = bd.get_batch().validate(suite)
failed = [r.expectation_config.type for r in res.results if not r.success]
print("pass" if res.success else "FAIL " + ",".join(failed))
PY
)
  echo "$name: $(jq '.expectations | length' "$tmp/$name.json" 2>/dev/null || echo '?') expectations, GX: $verdict"
  [ "$verdict" = pass ] || fail=1
done
rm -rf "$tmp"
exit $fail
