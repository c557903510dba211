#!/usr/bin/env python3
"""Great Expectations 1.x: validate a data file (CSV or Parquet, read by GX's pandas
datasource) against a GX 1.x suite JSON file. Prints one JSON line: per-expectation
success and unexpected counts, phase timings and peak RSS.

  python gx_suite.py DATA.csv|DATA.parquet SUITE.json
"""
import argparse
import json
import time

from anchors_common import emit

ap = argparse.ArgumentParser()
ap.add_argument("path")
ap.add_argument("suite")
args = ap.parse_args()

t0 = time.perf_counter()
import great_expectations as gx

t_import = time.perf_counter() - t0
raw = json.load(open(args.suite))
context = gx.get_context(mode="ephemeral")
ds = context.data_sources.add_pandas(name="pandas")
if args.path.endswith(".parquet"):
    asset = ds.add_parquet_asset(name="data", path=args.path)
else:
    asset = ds.add_csv_asset(name="data", filepath_or_buffer=args.path)
bd = asset.add_batch_definition_whole_dataframe("whole")
suite = context.suites.add(
    gx.ExpectationSuite(
        name=raw["name"],
        expectations=[{"type": e["type"], "kwargs": e["kwargs"], "meta": {"index": i}} for i, e in enumerate(raw["expectations"])],
    )
)
t2 = time.perf_counter()
batch = bd.get_batch()
t_load = time.perf_counter() - t2
t3 = time.perf_counter()
res = batch.validate(suite, result_format="BASIC")
t_validate = time.perf_counter() - t3
results = sorted(res.results, key=lambda r: r.expectation_config.meta["index"])
emit(
    {
        "tool": "great_expectations",
        "version": gx.__version__,
        "success": res.success,
        "unexpected_counts": [r.result.get("unexpected_count") for r in results],
        "successes": [r.success for r in results],
        "import_s": round(t_import, 3),
        "load_s": round(t_load, 3),
        "validate_s": round(t_validate, 3),
    }
)
