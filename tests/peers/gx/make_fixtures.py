#!/usr/bin/env python3
"""Write Great Expectations 1.x peer fixtures for datagate's Rust tests.

Run through ./run.sh (it creates the venv with the pinned GX and pandas versions).

Inputs (hand-written, committed): tests/fixtures/gx/data/*.csv
Outputs (rewritten by this script):
  tests/fixtures/gx/suites/<suite>.json   GX 1.x suites (plus one legacy 0.x suite)
  tests/fixtures/gx/results/<case>.json   GX's validation result, result_format COMPLETE
  tests/fixtures/gx/cases.json            index: [{case, data, suite, result}]
  tests/fixtures/gx/datasets.json         how pandas.read_csv typed every column

Every CSV is read by GX's pandas datasource (add_csv_asset), i.e. pandas.read_csv
with its default options, so row indexes are the 0-based RangeIndex = data row number.
The suites are written first, then read back from disk and handed to GX, so every
suite file is known to load in GX 1.x (the legacy one after the documented key
renames).

Only non-semantic, run-dependent fields are normalised so reruns diff clean:
expectation ids (uuids) -> null, meta.batch_markers.ge_load_time -> fixed string.
Non-finite floats (NaN, inf) are written as the strings "NaN", "Infinity", "-Infinity"
because JSON has no such numbers. numpy scalars become plain JSON numbers/bools.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import great_expectations as gx  # noqa: E402

E = tuple  # (type, kwargs) pair, for readability below

STATUS = ["ACTIVE", "PENDING", "CLOSED"]
PEOPLE_COLS = ["id", "name", "age", "email", "city", "score", "status", "signup"]

# ---------------------------------------------------------------------------
# Suites. Each entry: suite name -> (dataset stem, [(expectation type, kwargs)]).
# Pass and fail cases are mixed on purpose; comments say what each one probes.
# ---------------------------------------------------------------------------
SUITES: dict[str, tuple[str, list[E]]] = {}

SUITES["people_table"] = ("people", [
    ("expect_table_row_count_to_be_between", {"min_value": 10, "max_value": 50}),  # pass
    ("expect_table_row_count_to_be_between", {"min_value": 30, "max_value": 30}),  # pass, inclusive
    ("expect_table_row_count_to_be_between", {"min_value": 30, "max_value": 40, "strict_min": True}),  # fail
    ("expect_table_row_count_to_be_between", {"min_value": 20, "max_value": 30, "strict_max": True}),  # fail
    ("expect_table_row_count_to_be_between", {"min_value": 31}),  # min only, fail
    ("expect_table_row_count_to_be_between", {"max_value": 100}),  # max only, pass
    ("expect_table_row_count_to_equal", {"value": 30}),  # pass
    ("expect_table_row_count_to_equal", {"value": 29}),  # fail
    ("expect_table_columns_to_match_ordered_list", {"column_list": PEOPLE_COLS}),  # pass
    ("expect_table_columns_to_match_ordered_list",
     {"column_list": ["id", "age", "name", "email", "city", "score", "status", "signup"]}),  # fail (order)
    ("expect_table_columns_to_match_ordered_list", {"column_list": PEOPLE_COLS[:-1]}),  # fail (missing)
    ("expect_table_columns_to_match_set", {"column_set": list(reversed(PEOPLE_COLS))}),  # pass
    ("expect_table_columns_to_match_set", {"column_set": PEOPLE_COLS[:5]}),  # fail: exact_match default True
    ("expect_table_columns_to_match_set", {"column_set": PEOPLE_COLS[:5], "exact_match": False}),  # pass
    ("expect_table_columns_to_match_set", {"column_set": PEOPLE_COLS + ["extra"], "exact_match": False}),  # fail
    ("expect_table_column_count_to_equal", {"value": 8}),  # pass
    ("expect_table_column_count_to_equal", {"value": 9}),  # fail
    ("expect_column_to_exist", {"column": "name"}),  # pass
    ("expect_column_to_exist", {"column": "nope"}),  # fail
    ("expect_column_to_exist", {"column": "name", "column_index": 1}),  # pass
    ("expect_column_to_exist", {"column": "name", "column_index": 2}),  # fail
    ("expect_column_to_exist", {"column": "name", "column_index": 0}),  # index 0 ignored -> pass
    ("expect_column_to_exist", {"column": "signup", "column_index": -1}),  # negative index
    ("expect_column_to_exist", {"column": "Name"}),  # case-sensitive -> fail
])

SUITES["people_values"] = ("people", [
    ("expect_column_values_to_not_be_null", {"column": "id"}),  # pass
    ("expect_column_values_to_not_be_null", {"column": "name"}),  # 1 null -> fail
    ("expect_column_values_to_not_be_null", {"column": "age", "mostly": 0.85}),  # 3/30 null -> pass
    ("expect_column_values_to_not_be_null", {"column": "age", "mostly": 0.95}),  # fail
    ("expect_column_values_to_not_be_null", {"column": "age", "mostly": 0.9}),  # 27/30 == 0.9: pass
    ("expect_column_values_to_not_be_null", {"column": "city"}),  # "" -> null, " " stays
    ("expect_column_values_to_be_null", {"column": "city"}),  # fail
    ("expect_column_values_to_be_null", {"column": "city", "mostly": 0.05}),  # 2/30 null -> pass
    ("expect_column_values_to_be_between", {"column": "age", "min_value": 0, "max_value": 120}),  # 130, -1
    ("expect_column_values_to_be_between", {"column": "age", "min_value": 0, "max_value": 120, "mostly": 0.9}),
    ("expect_column_values_to_be_between", {"column": "age", "min_value": 0, "max_value": 120,
                                            "strict_min": True, "strict_max": True}),  # 0 and 120 fail too
    ("expect_column_values_to_be_between", {"column": "age", "min_value": 18}),  # min only
    ("expect_column_values_to_be_between", {"column": "age", "max_value": 100}),  # max only
    ("expect_column_values_to_be_between", {"column": "score", "min_value": 0, "max_value": 100}),
    ("expect_column_values_to_be_between", {"column": "score", "min_value": 0.0, "max_value": 100.0,
                                            "strict_max": True}),  # 100.0 fails too
    ("expect_column_values_to_be_between", {"column": "id", "min_value": 1, "max_value": 30}),  # pass
    ("expect_column_values_to_be_in_set", {"column": "status", "value_set": STATUS}),  # active, UNKNOWN
    ("expect_column_values_to_be_in_set", {"column": "status", "value_set": STATUS, "mostly": 0.9}),  # pass
    ("expect_column_values_to_be_in_set", {"column": "age", "value_set": [34, 29, 41, 130]}),  # ints vs floats
    ("expect_column_values_to_not_be_in_set", {"column": "status", "value_set": ["UNKNOWN", "active"]}),
    ("expect_column_values_to_not_be_in_set", {"column": "city", "value_set": [" ", "Paris"]}),
    ("expect_column_values_to_not_be_in_set", {"column": "status", "value_set": ["DELETED", "closed"]}),  # pass
    ("expect_column_values_to_be_unique", {"column": "id"}),  # pass
    ("expect_column_values_to_be_unique", {"column": "score"}),  # 88.5 twice -> both rows flagged
    ("expect_column_values_to_be_unique", {"column": "status"}),
    ("expect_column_values_to_match_regex", {"column": "email", "regex": r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"}),
    ("expect_column_values_to_match_regex", {"column": "email", "regex": "example", "mostly": 0.9}),  # search
    ("expect_column_values_to_match_regex", {"column": "score", "regex": r"\.5$"}),  # float text "88.5"
    ("expect_column_values_to_match_regex", {"column": "id", "regex": "^[0-9]+$"}),  # int column
    ("expect_column_values_to_not_match_regex", {"column": "name", "regex": r"[0-9😀]"}),
    ("expect_column_values_to_not_match_regex", {"column": "city", "regex": r"^\s|\s$"}),  # " ", "  Helsinki "
    ("expect_column_values_to_not_match_regex", {"column": "email", "regex": r"\s"}),  # pass
    ("expect_column_values_to_match_regex_list", {"column": "email", "regex_list": [r"\.com$", r"\.fr$"]}),
    ("expect_column_values_to_match_regex_list", {"column": "email", "regex_list": ["@", "example"],
                                                  "match_on": "all"}),
    ("expect_column_values_to_match_regex_list", {"column": "email", "regex_list": ["@", r"\.com$"],
                                                  "match_on": "all"}),
    ("expect_column_values_to_match_regex_list", {"column": "email", "regex_list": ["@", "-"], "mostly": 0.95}),
    ("expect_column_values_to_not_match_regex_list", {"column": "name", "regex_list": [r"^\s", "😀", "é"]}),
    ("expect_column_values_to_not_match_regex_list", {"column": "email", "regex_list": ["[A-Z]", "^not"]}),
    ("expect_column_value_lengths_to_be_between", {"column": "name", "min_value": 2, "max_value": 6}),
    ("expect_column_value_lengths_to_be_between", {"column": "name", "min_value": 3}),  # min only
    ("expect_column_value_lengths_to_be_between", {"column": "city", "max_value": 8}),  # max only
    ("expect_column_value_lengths_to_be_between", {"column": "name", "min_value": 2, "max_value": 6,
                                                   "strict_min": True, "strict_max": True}),
    ("expect_column_value_lengths_to_equal", {"column": "signup", "value": 10}),  # pass
    ("expect_column_value_lengths_to_be_between", {"column": "signup", "min_value": 10, "max_value": 10}),  # pass
    ("expect_column_value_lengths_to_equal", {"column": "name", "value": 4}),
    ("expect_column_values_to_be_of_type", {"column": "id", "type_": "int64"}),
    ("expect_column_values_to_be_of_type", {"column": "id", "type_": "int"}),
    ("expect_column_values_to_be_of_type", {"column": "age", "type_": "float64"}),  # int column with nulls
    ("expect_column_values_to_be_of_type", {"column": "age", "type_": "int64"}),  # fail
    ("expect_column_values_to_be_of_type", {"column": "name", "type_": "str"}),
    ("expect_column_values_to_be_of_type", {"column": "name", "type_": "object"}),
    ("expect_column_values_to_be_in_type_list", {"column": "age", "type_list": ["int64", "float64"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "score", "type_list": ["int", "int64"]}),  # fail
    ("expect_column_values_to_be_in_type_list", {"column": "status", "type_list": ["str", "int"]}),
    ("expect_column_values_to_match_strftime_format", {"column": "signup", "strftime_format": "%Y-%m-%d"}),
    ("expect_column_values_to_match_strftime_format", {"column": "signup", "strftime_format": "%d/%m/%Y"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "signup"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "city"}),
    ("expect_column_values_to_be_json_parseable", {"column": "name"}),
    ("expect_column_values_to_be_json_parseable", {"column": "id"}),  # numeric column: all fail
    ("expect_column_values_to_be_increasing", {"column": "id"}),  # pass
    ("expect_column_values_to_be_decreasing", {"column": "id"}),  # fail
    ("expect_column_values_to_be_increasing", {"column": "age"}),  # floats with nulls
])

SUITES["people_aggregates"] = ("people", [
    ("expect_column_min_to_be_between", {"column": "age", "min_value": 0, "max_value": 20}),  # min -1 fail
    ("expect_column_min_to_be_between", {"column": "age", "min_value": -1, "strict_min": True}),
    ("expect_column_min_to_be_between", {"column": "score", "max_value": 0}),  # -3.2 pass
    ("expect_column_max_to_be_between", {"column": "age", "min_value": 100, "max_value": 130}),  # pass
    ("expect_column_max_to_be_between", {"column": "age", "max_value": 130, "strict_max": True}),  # fail
    ("expect_column_max_to_be_between", {"column": "score", "min_value": 100}),
    ("expect_column_mean_to_be_between", {"column": "age", "min_value": 40, "max_value": 50}),
    ("expect_column_mean_to_be_between", {"column": "score", "min_value": 60, "max_value": 80}),
    ("expect_column_mean_to_be_between", {"column": "id", "min_value": 15.5, "max_value": 15.5}),  # pass exact
    ("expect_column_mean_to_be_between", {"column": "id", "min_value": 15.5, "strict_min": True}),  # fail
    ("expect_column_median_to_be_between", {"column": "age", "min_value": 38, "max_value": 45}),
    ("expect_column_median_to_be_between", {"column": "id", "min_value": 15.5, "max_value": 15.5}),  # even n
    ("expect_column_median_to_be_between", {"column": "score", "max_value": 70}),
    ("expect_column_stdev_to_be_between", {"column": "age", "min_value": 20, "max_value": 40}),
    ("expect_column_stdev_to_be_between", {"column": "id", "min_value": 8.8, "max_value": 8.9}),  # sample sd
    ("expect_column_stdev_to_be_between", {"column": "score", "max_value": 10}),  # fail
    ("expect_column_sum_to_be_between", {"column": "id", "min_value": 465, "max_value": 465}),  # pass
    ("expect_column_sum_to_be_between", {"column": "score", "min_value": 2000, "max_value": 2100}),
    ("expect_column_sum_to_be_between", {"column": "age", "max_value": 1000}),  # fail
    ("expect_column_quantile_values_to_be_between",
     {"column": "age", "quantile_ranges": {"quantiles": [0.0, 0.25, 0.5, 0.75, 1.0],
                                           "value_ranges": [[-5, 0], [25, 30], [35, 45], [55, 65], [120, 130]]}}),
    ("expect_column_quantile_values_to_be_between",
     {"column": "score", "quantile_ranges": {"quantiles": [0.1, 0.33, 0.9],
                                             "value_ranges": [[None, 40], [60, None], [95, 99]]}}),  # one fails
    ("expect_column_quantile_values_to_be_between",
     {"column": "id", "quantile_ranges": {"quantiles": [0.05, 0.5, 0.95],
                                          "value_ranges": [[1, 3], [15, 16], [28, 30]]}}),
    ("expect_column_unique_value_count_to_be_between", {"column": "status", "min_value": 3, "max_value": 5}),
    ("expect_column_unique_value_count_to_be_between", {"column": "status", "max_value": 3}),  # fail (5)
    ("expect_column_unique_value_count_to_be_between", {"column": "city", "min_value": 28}),
    ("expect_column_proportion_of_unique_values_to_be_between", {"column": "id", "min_value": 1.0}),
    ("expect_column_proportion_of_unique_values_to_be_between", {"column": "status", "max_value": 0.1}),
    ("expect_column_proportion_of_unique_values_to_be_between",
     {"column": "score", "min_value": 0.9, "max_value": 1.0, "strict_max": True}),
    ("expect_column_distinct_values_to_be_in_set", {"column": "status", "value_set": STATUS}),  # fail
    ("expect_column_distinct_values_to_be_in_set",
     {"column": "status", "value_set": STATUS + ["active", "UNKNOWN", "EXTRA"]}),  # pass
    ("expect_column_distinct_values_to_contain_set", {"column": "status", "value_set": STATUS}),  # pass
    ("expect_column_distinct_values_to_contain_set", {"column": "status", "value_set": STATUS + ["GONE"]}),
    ("expect_column_distinct_values_to_equal_set", {"column": "status", "value_set": STATUS}),  # fail
    ("expect_column_distinct_values_to_equal_set",
     {"column": "status", "value_set": STATUS + ["active", "UNKNOWN"]}),  # pass
    ("expect_column_distinct_values_to_equal_set",
     {"column": "status", "value_set": ["ACTIVE", "PENDING", "active", "UNKNOWN", "GONE"]}),  # both sides
    ("expect_column_most_common_value_to_be_in_set", {"column": "status", "value_set": ["ACTIVE"]}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "status", "value_set": ["PENDING"]}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "score", "value_set": [88.5]}),
    ("expect_column_min_to_be_between", {"column": "signup", "min_value": "2024-01-01",
                                         "max_value": "2024-01-31"}),  # string column min
])

SUITES["nulls"] = ("nulls", [
    ("expect_column_values_to_not_be_null", {"column": "num_tokens"}),
    ("expect_column_values_to_not_be_null", {"column": "text_tokens"}),
    ("expect_column_values_to_not_be_null", {"column": "ws"}),
    ("expect_column_values_to_not_be_null", {"column": "quoted"}),
    ("expect_column_values_to_not_be_null", {"column": "no_nulls"}),
    ("expect_column_values_to_not_be_null", {"column": "all_empty"}),
    ("expect_column_values_to_be_null", {"column": "all_empty"}),
    ("expect_column_values_to_be_null", {"column": "num_tokens", "mostly": 0.6}),
    ("expect_column_values_to_be_between", {"column": "num_tokens", "min_value": 2, "max_value": 8}),
    ("expect_column_values_to_be_between", {"column": "all_empty", "min_value": 0, "max_value": 1}),
    ("expect_column_values_to_be_in_set",
     {"column": "text_tokens", "value_set": ["alpha", "beta", "gamma", "delta"]}),
    ("expect_column_values_to_be_in_set", {"column": "all_empty", "value_set": [1]}),
    ("expect_column_values_to_match_regex", {"column": "ws", "regex": r"^\S+$"}),
    ("expect_column_values_to_match_regex", {"column": "ws", "regex": r"^\s*$"}),
    ("expect_column_value_lengths_to_be_between", {"column": "ws", "min_value": 1, "max_value": 2}),
    ("expect_column_values_to_be_unique", {"column": "text_tokens"}),
    ("expect_column_values_to_be_unique", {"column": "all_empty"}),
    ("expect_column_mean_to_be_between", {"column": "num_tokens", "min_value": 4, "max_value": 5}),
    ("expect_column_mean_to_be_between", {"column": "all_empty", "min_value": 0, "max_value": 1}),
    ("expect_column_min_to_be_between", {"column": "all_empty", "min_value": 0}),
    ("expect_column_sum_to_be_between", {"column": "all_empty", "min_value": 0, "max_value": 0}),
    ("expect_column_median_to_be_between", {"column": "num_tokens", "min_value": 4, "max_value": 5}),
    ("expect_column_stdev_to_be_between", {"column": "num_tokens", "min_value": 2, "max_value": 3}),
    ("expect_column_unique_value_count_to_be_between", {"column": "text_tokens", "min_value": 0, "max_value": 100}),
    ("expect_column_unique_value_count_to_be_between", {"column": "all_empty", "max_value": 0}),
    ("expect_column_proportion_of_unique_values_to_be_between", {"column": "num_tokens", "min_value": 1}),
    ("expect_column_distinct_values_to_equal_set",
     {"column": "text_tokens", "value_set": ["alpha", "beta", "gamma", "delta"]}),
    ("expect_column_distinct_values_to_be_in_set", {"column": "all_empty", "value_set": ["a"]}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "ws", "value_set": ["x"]}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "ws", "value_set": ["x"], "ties_okay": True}),
    ("expect_column_values_to_be_of_type", {"column": "all_empty", "type_": "float64"}),
    ("expect_column_values_to_be_of_type", {"column": "text_tokens", "type_": "str"}),
])

SUITES["mixed_types"] = ("mixed", [
    ("expect_column_values_to_be_of_type", {"column": "mixed", "type_": "str"}),
    ("expect_column_values_to_be_of_type", {"column": "mixed", "type_": "int"}),
    ("expect_column_values_to_be_of_type", {"column": "int_col", "type_": "int64"}),
    ("expect_column_values_to_be_of_type", {"column": "int_col", "type_": "int32"}),
    ("expect_column_values_to_be_of_type", {"column": "int_col", "type_": "float"}),
    ("expect_column_values_to_be_of_type", {"column": "float_col", "type_": "float"}),
    ("expect_column_values_to_be_of_type", {"column": "float_col", "type_": "float64"}),
    ("expect_column_values_to_be_of_type", {"column": "bool_col", "type_": "bool"}),
    ("expect_column_values_to_be_of_type", {"column": "bool_with_null", "type_": "bool"}),
    ("expect_column_values_to_be_of_type", {"column": "zip", "type_": "str"}),
    ("expect_column_values_to_be_of_type", {"column": "int_with_null", "type_": "int64"}),
    ("expect_column_values_to_be_in_type_list", {"column": "mixed", "type_list": ["int", "float", "str"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "mixed", "type_list": ["int", "float"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "int_col", "type_list": ["float64", "int64"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "float_col", "type_list": ["int", "str"]}),
    ("expect_column_values_to_be_in_type_list", {"column": "bool_with_null", "type_list": ["bool", "str"]}),
    ("expect_column_values_to_be_in_set", {"column": "mixed", "value_set": [1, 3.5, 5, "two"]}),
    ("expect_column_values_to_be_in_set", {"column": "mixed", "value_set": ["1", "3.5", "5", "two"]}),
    ("expect_column_values_to_be_in_set", {"column": "int_col", "value_set": [1.0, 2.0, "3", 4]}),
    ("expect_column_values_to_be_in_set", {"column": "bool_col", "value_set": [True]}),
    ("expect_column_values_to_be_in_set", {"column": "zip", "value_set": [123, 1234, 7]}),
    ("expect_column_values_to_be_between", {"column": "int_col", "min_value": 5, "max_value": 15}),
    ("expect_column_values_to_be_between", {"column": "sci", "min_value": 0, "max_value": 100}),
    ("expect_column_values_to_be_between", {"column": "mixed", "min_value": 0, "max_value": 10}),  # raises?
    ("expect_column_values_to_match_regex", {"column": "int_col", "regex": "^1"}),
    ("expect_column_values_to_match_regex", {"column": "float_col", "regex": r"\.0$"}),
    ("expect_column_values_to_match_regex", {"column": "mixed", "regex": "^[0-9.-]+$"}),
    ("expect_column_values_to_match_regex", {"column": "zip", "regex": "^[0-9]{5}$"}),  # leading zeros lost
    ("expect_column_values_to_match_regex", {"column": "bool_col", "regex": "^True$"}),
    ("expect_column_value_lengths_to_be_between", {"column": "mixed", "min_value": 1, "max_value": 4}),
    ("expect_column_value_lengths_to_be_between", {"column": "int_col", "min_value": 1, "max_value": 1}),
    ("expect_column_values_to_be_json_parseable", {"column": "mixed"}),
    ("expect_column_values_to_be_json_parseable", {"column": "int_col"}),
    ("expect_column_values_to_be_json_parseable", {"column": "bool_col"}),
    ("expect_column_values_to_be_unique", {"column": "mixed"}),
    ("expect_column_values_to_be_unique", {"column": "bool_col"}),
    ("expect_column_min_to_be_between", {"column": "mixed", "min_value": 0}),  # strings: raises?
    ("expect_column_mean_to_be_between", {"column": "bool_col", "min_value": 0, "max_value": 1}),
    ("expect_column_mean_to_be_between", {"column": "int_with_null", "min_value": 9, "max_value": 10}),
    ("expect_column_sum_to_be_between", {"column": "sci", "min_value": 1000, "max_value": 2000}),
    ("expect_column_max_to_be_between", {"column": "zip", "max_value": 99999}),
    ("expect_column_distinct_values_to_be_in_set", {"column": "bool_col", "value_set": [True, False]}),
    ("expect_column_distinct_values_to_contain_set", {"column": "int_with_null", "value_set": [1, 2, 3]}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "bool_col", "value_set": [True]}),
    ("expect_column_unique_value_count_to_be_between", {"column": "mixed", "min_value": 19}),
    ("expect_column_values_to_be_increasing", {"column": "int_col", "strictly": True}),
    ("expect_column_values_to_be_increasing", {"column": "mixed"}),  # text: raises
    ("expect_column_values_to_be_dateutil_parseable", {"column": "mixed"}),
])

SUITES["sequences"] = ("sequences", [
    ("expect_column_values_to_be_increasing", {"column": "inc_strict"}),
    ("expect_column_values_to_be_increasing", {"column": "inc_strict", "strictly": True}),
    ("expect_column_values_to_be_increasing", {"column": "inc_ties"}),  # ties pass
    ("expect_column_values_to_be_increasing", {"column": "inc_ties", "strictly": True}),  # ties fail
    ("expect_column_values_to_be_increasing", {"column": "inc_nulls"}),  # nulls skipped
    ("expect_column_values_to_be_increasing", {"column": "inc_nulls", "strictly": True}),
    ("expect_column_values_to_be_increasing", {"column": "inc_bad"}),
    ("expect_column_values_to_be_increasing", {"column": "inc_bad", "mostly": 0.8}),
    ("expect_column_values_to_be_increasing", {"column": "inc_bad", "mostly": 0.85}),  # 17/20 == 0.85: pass
    ("expect_column_values_to_be_increasing", {"column": "inc_bad", "mostly": 0.86}),  # fail
    ("expect_column_values_to_be_increasing", {"column": "dec_strict"}),
    ("expect_column_values_to_be_increasing", {"column": "float_inc", "strictly": True}),
    ("expect_column_values_to_be_increasing", {"column": "text_seq"}),  # strings: raises
    ("expect_column_values_to_be_increasing", {"column": "date_text"}),  # strings that look like dates
    ("expect_column_values_to_be_decreasing", {"column": "dec_strict", "strictly": True}),
    ("expect_column_values_to_be_decreasing", {"column": "dec_ties"}),
    ("expect_column_values_to_be_decreasing", {"column": "dec_ties", "strictly": True}),
    ("expect_column_values_to_be_decreasing", {"column": "dec_nulls"}),
    ("expect_column_values_to_be_decreasing", {"column": "dec_nulls", "strictly": True}),
    ("expect_column_values_to_be_decreasing", {"column": "inc_strict"}),
    ("expect_column_values_to_be_decreasing", {"column": "inc_bad", "mostly": 0.1}),
    ("expect_column_values_to_be_decreasing", {"column": "text_seq"}),  # strings: raises
    ("expect_column_quantile_values_to_be_between",
     {"column": "inc_strict", "quantile_ranges": {"quantiles": [0.1, 0.25, 0.5, 0.75, 0.9, 0.99],
                                                  "value_ranges": [[2, 2], [5, 6], [10, 11], [15, 16],
                                                                   [18, 19], [20, 20]]}}),
    ("expect_column_quantile_values_to_be_between",
     {"column": "inc_nulls", "quantile_ranges": {"quantiles": [0.2, 0.5, 0.8],
                                                 "value_ranges": [[None, 3], [5, 7], [9, None]]}}),
    ("expect_column_quantile_values_to_be_between",
     {"column": "float_inc", "quantile_ranges": {"quantiles": [0.3, 0.6],
                                                 "value_ranges": [[1.75, 1.75], [3.25, 3.25]]}}),
    ("expect_column_quantile_values_to_be_between",
     {"column": "dec_ties", "quantile_ranges": {"quantiles": [0.5], "value_ranges": [[35, 35]]},
      "allow_relative_error": True}),
    ("expect_column_median_to_be_between", {"column": "inc_strict", "min_value": 10.5, "max_value": 10.5}),
    ("expect_column_median_to_be_between", {"column": "inc_nulls", "min_value": 6, "max_value": 7}),
    ("expect_column_stdev_to_be_between", {"column": "float_inc", "min_value": 1.4, "max_value": 1.5}),
    ("expect_column_sum_to_be_between", {"column": "float_inc", "min_value": 57.5, "max_value": 57.5}),
    ("expect_column_min_to_be_between", {"column": "dec_nulls", "min_value": 30, "max_value": 30}),
    ("expect_column_max_to_be_between", {"column": "inc_nulls", "min_value": 11, "max_value": 11}),
])

SUITES["dupes"] = ("dupes", [
    ("expect_column_values_to_be_unique", {"column": "uid"}),
    ("expect_column_values_to_be_unique", {"column": "code"}),  # A x3, B x2; nulls skipped
    ("expect_column_values_to_be_unique", {"column": "dup_num"}),  # 10 x2, 20 x2; nulls skipped
    ("expect_column_values_to_be_unique", {"column": "code", "mostly": 0.7}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b", "c"]}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b", "c"], "ignore_row_if": "any_value_is_missing"}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b", "c"], "ignore_row_if": "never"}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"], "mostly": 0.5}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["uid", "code"]}),  # pass
    ("expect_select_column_values_to_be_unique_within_record", {"column_list": ["x", "y", "z"]}),
    ("expect_select_column_values_to_be_unique_within_record",
     {"column_list": ["x", "y", "z"], "ignore_row_if": "any_value_is_missing"}),
    ("expect_select_column_values_to_be_unique_within_record",
     {"column_list": ["x", "y", "z"], "ignore_row_if": "never"}),
    ("expect_select_column_values_to_be_unique_within_record", {"column_list": ["x", "y"], "mostly": 0.9}),
    ("expect_select_column_values_to_be_unique_within_record", {"column_list": ["code", "b"]}),  # pass
    ("expect_column_unique_value_count_to_be_between", {"column": "code", "min_value": 15, "max_value": 15}),
    ("expect_column_unique_value_count_to_be_between", {"column": "dup_num", "min_value": 16, "max_value": 16}),
    ("expect_column_proportion_of_unique_values_to_be_between",
     {"column": "code", "min_value": 0.8, "max_value": 0.9}),
    ("expect_column_proportion_of_unique_values_to_be_between",
     {"column": "dup_num", "min_value": 0.85, "strict_min": True}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "code", "value_set": ["A"]}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "dup_num", "value_set": [10]}),  # tie 10/20
    ("expect_column_most_common_value_to_be_in_set",
     {"column": "dup_num", "value_set": [10], "ties_okay": True}),
    ("expect_column_most_common_value_to_be_in_set",
     {"column": "dup_num", "value_set": [10, 20]}),
    ("expect_column_distinct_values_to_contain_set", {"column": "dup_num", "value_set": [10, 20, 999]}),
    ("expect_column_distinct_values_to_equal_set", {"column": "b", "value_set": ["x", "y", "z", "w", "v", "u", "t"]}),
])

SUITES["pairs"] = ("pairs", [
    ("expect_column_pair_values_to_be_equal", {"column_A": "a", "column_B": "b"}),
    ("expect_column_pair_values_to_be_equal", {"column_A": "a", "column_B": "b",
                                               "ignore_row_if": "either_value_is_missing"}),
    ("expect_column_pair_values_to_be_equal", {"column_A": "a", "column_B": "b", "ignore_row_if": "neither"}),
    ("expect_column_pair_values_to_be_equal", {"column_A": "a", "column_B": "b", "mostly": 0.7}),
    ("expect_column_pair_values_to_be_equal", {"column_A": "s1", "column_B": "s2"}),  # case, whitespace, unicode
    ("expect_column_pair_values_to_be_equal", {"column_A": "s1", "column_B": "s2",
                                               "ignore_row_if": "either_value_is_missing"}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "hi", "column_B": "lo"}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "hi", "column_B": "lo", "or_equal": True}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "hi", "column_B": "lo", "or_equal": True,
                                                          "ignore_row_if": "either_value_is_missing"}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "hi", "column_B": "lo",
                                                          "ignore_row_if": "neither"}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "hi", "column_B": "lo", "or_equal": True,
                                                          "mostly": 0.8}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "hi", "column_B": "lo", "or_equal": True,
                                                          "mostly": 0.75}),  # 15/20 == 0.75: pass
    ("expect_multicolumn_sum_to_equal", {"column_list": ["p", "q", "r"], "sum_total": 6}),
    ("expect_multicolumn_sum_to_equal", {"column_list": ["p", "q", "r"], "sum_total": 6,
                                         "ignore_row_if": "any_value_is_missing"}),
    ("expect_multicolumn_sum_to_equal", {"column_list": ["p", "q", "r"], "sum_total": 6,
                                         "ignore_row_if": "never"}),
    ("expect_multicolumn_sum_to_equal", {"column_list": ["p", "q", "r"], "sum_total": 6, "mostly": 0.75}),
    ("expect_multicolumn_sum_to_equal", {"column_list": ["p", "q"], "sum_total": 3}),
])

SUITES["text"] = ("text", [
    ("expect_column_value_lengths_to_be_between", {"column": "word", "min_value": 1, "max_value": 5}),
    ("expect_column_value_lengths_to_equal", {"column": "word", "value": 1}),  # é, 😀 are 1; 👍🏽 is 2
    ("expect_column_value_lengths_to_be_between", {"column": "padded", "min_value": 1, "max_value": 2}),
    ("expect_column_value_lengths_to_equal", {"column": "code", "value": 6}),
    ("expect_column_value_lengths_to_be_between", {"column": "code", "min_value": 5, "max_value": 7}),  # pass
    ("expect_column_values_to_match_regex", {"column": "code", "regex": r"^[A-Z]{2}-\d{3}$"}),
    ("expect_column_values_to_match_regex", {"column": "code", "regex": r"-\d{3}", "mostly": 0.9}),
    ("expect_column_values_to_match_regex", {"column": "word", "regex": r"^\w+$"}),  # unicode \w
    ("expect_column_values_to_not_match_regex", {"column": "word", "regex": "[^\\x00-\\x7f]"}),
    ("expect_column_values_to_match_regex_list", {"column": "phone", "regex_list": [r"^\+\d", r"^\(\d{3}\)"]}),
    ("expect_column_values_to_match_regex_list",
     {"column": "phone", "regex_list": [r"^\+", r"\d{4}$"], "match_on": "all"}),
    ("expect_column_values_to_not_match_regex_list", {"column": "phone", "regex_list": [r"\s", r"\("]}),
    ("expect_column_values_to_not_match_regex_list", {"column": "code", "regex_list": ["^ab", "^XY"],
                                                      "mostly": 0.9}),
    ("expect_column_values_to_be_json_parseable", {"column": "json_col"}),
    ("expect_column_values_to_be_json_parseable", {"column": "json_col", "mostly": 0.5}),
    ("expect_column_values_to_be_json_parseable", {"column": "word"}),
    ("expect_column_values_to_be_in_set", {"column": "word", "value_set": ["café", "日本語", "😀", "é", "Straße"]}),
    ("expect_column_values_to_not_be_in_set", {"column": "word", "value_set": ["cafe", "CAFÉ"]}),
    ("expect_column_values_to_be_unique", {"column": "padded"}),  # "x", " x", "x " distinct; "z" repeats
    ("expect_column_distinct_values_to_contain_set", {"column": "word", "value_set": ["café", "cafe", "日本語"]}),
    ("expect_column_distinct_values_to_be_in_set", {"column": "padded", "value_set": ["x", "y", "z"]}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "padded", "value_set": ["z"]}),
    ("expect_column_unique_value_count_to_be_between", {"column": "word", "min_value": 19, "max_value": 19}),
    ("expect_column_proportion_of_unique_values_to_be_between", {"column": "padded", "max_value": 0.8}),
    ("expect_column_values_to_be_of_type", {"column": "word", "type_": "str"}),
    ("expect_column_values_to_be_in_type_list", {"column": "json_col", "type_list": ["str"]}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "code"}),
])

SUITES["dates"] = ("dates", [
    ("expect_column_values_to_match_strftime_format", {"column": "iso", "strftime_format": "%Y-%m-%d"}),
    ("expect_column_values_to_match_strftime_format", {"column": "iso_loose", "strftime_format": "%Y-%m-%d"}),
    ("expect_column_values_to_match_strftime_format", {"column": "us", "strftime_format": "%m/%d/%Y"}),
    ("expect_column_values_to_match_strftime_format", {"column": "eu", "strftime_format": "%d.%m.%Y"}),
    ("expect_column_values_to_match_strftime_format",
     {"column": "datetime", "strftime_format": "%Y-%m-%d %H:%M:%S"}),
    ("expect_column_values_to_match_strftime_format",
     {"column": "datetime", "strftime_format": "%Y-%m-%d %H:%M:%S", "mostly": 0.6}),
    ("expect_column_values_to_match_strftime_format", {"column": "free_text", "strftime_format": "%b %d %Y"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "iso"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "iso_loose"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "us"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "eu"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "datetime"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "free_text"}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "free_text", "mostly": 0.5}),
    ("expect_column_values_to_be_dateutil_parseable", {"column": "epoch"}),
    ("expect_column_values_to_be_between", {"column": "epoch", "min_value": 1704067200, "max_value": 1735689599}),
    ("expect_column_values_to_be_between", {"column": "iso", "min_value": "2024-01-01",
                                            "max_value": "2024-12-31"}),  # string comparison
    ("expect_column_values_to_be_increasing", {"column": "iso"}),
    ("expect_column_min_to_be_between", {"column": "iso", "min_value": "2024-01-01"}),
    ("expect_column_max_to_be_between", {"column": "iso", "max_value": "2024-12-31"}),
    ("expect_column_value_lengths_to_equal", {"column": "iso", "value": 10}),
])

SUITES["missing_column"] = ("people", [
    # A suite naming a column the data does not have: GX reports an exception per expectation.
    ("expect_column_values_to_not_be_null", {"column": "no_such_column"}),
    ("expect_column_mean_to_be_between", {"column": "no_such_column", "min_value": 0}),
    ("expect_column_pair_values_to_be_equal", {"column_A": "id", "column_B": "no_such_column"}),
    ("expect_column_values_to_not_be_null", {"column": "id"}),  # still evaluated: pass
])

SUITES["empty"] = ("empty", [
    # Header only, zero data rows: every column is dtype object.
    ("expect_table_row_count_to_be_between", {"min_value": 0, "max_value": 0}),
    ("expect_table_row_count_to_equal", {"value": 0}),
    ("expect_table_columns_to_match_ordered_list", {"column_list": ["id", "name", "amount"]}),
    ("expect_column_values_to_not_be_null", {"column": "id"}),
    ("expect_column_values_to_be_between", {"column": "amount", "min_value": 0, "max_value": 10}),
    ("expect_column_values_to_be_in_set", {"column": "name", "value_set": ["a"]}),
    ("expect_column_values_to_be_unique", {"column": "id"}),
    ("expect_column_mean_to_be_between", {"column": "amount", "min_value": 0}),
    ("expect_column_sum_to_be_between", {"column": "amount", "min_value": 0}),
    ("expect_column_unique_value_count_to_be_between", {"column": "name", "min_value": 0, "max_value": 0}),
    ("expect_column_proportion_of_unique_values_to_be_between", {"column": "name", "min_value": 0}),
    ("expect_column_distinct_values_to_contain_set", {"column": "name", "value_set": ["a"]}),
    ("expect_column_values_to_be_of_type", {"column": "amount", "type_": "float64"}),
])

SUITES["csv_quirks"] = ("csv_quirks", [
    # How pandas.read_csv types quoted/spaced numbers, booleans, -0, >int64 and multi-line fields.
    ("expect_column_values_to_be_of_type", {"column": "quoted_int", "type_": "int64"}),  # "42" -> 42
    ("expect_column_values_to_be_of_type", {"column": "spaced_int", "type_": "int64"}),  # " 42", "7 " -> int
    ("expect_column_values_to_be_of_type", {"column": "bools", "type_": "bool"}),  # TRUE/false/True/FALSE/true
    ("expect_column_values_to_be_of_type", {"column": "neg_zero", "type_": "float64"}),  # -0 -> float
    ("expect_column_values_to_be_of_type", {"column": "big", "type_": "uint64"}),  # > int64 max
    ("expect_column_values_to_be_of_type", {"column": "big", "type_": "int64"}),  # fail
    ("expect_column_values_to_be_of_type", {"column": "thousands", "type_": "str"}),  # "1,000" stays text
    ("expect_column_values_to_be_between", {"column": "quoted_int", "min_value": 0, "max_value": 100}),
    ("expect_column_values_to_be_between", {"column": "neg_zero", "min_value": 0, "max_value": 0}),  # -0.0 ok
    ("expect_column_values_to_be_in_set", {"column": "spaced_int", "value_set": [42, 7, -3, 0, 15]}),
    ("expect_column_values_to_be_in_set", {"column": "label", "value_set": ["a", "b", "c", "d,e"]}),
    ("expect_column_values_to_not_be_null", {"column": "multiline"}),  # "" -> null
    ("expect_column_value_lengths_to_be_between", {"column": "multiline", "max_value": 5}),
    ("expect_column_values_to_match_regex", {"column": "multiline", "regex": r"\n"}),
    ("expect_column_values_to_match_regex", {"column": "thousands", "regex": "^\\d{1,3}(,\\d{3})*$"}),
    ("expect_column_values_to_be_unique", {"column": "neg_zero"}),  # is -0.0 a duplicate of 0.0?
    ("expect_column_mean_to_be_between", {"column": "floaty", "min_value": -3, "max_value": 0}),
    ("expect_column_max_to_be_between", {"column": "big", "min_value": 1}),
    ("expect_column_sum_to_be_between", {"column": "quoted_int", "min_value": 61, "max_value": 61}),
    ("expect_table_row_count_to_equal", {"value": 5}),  # a quoted newline does not start a row
])

SUITES["single_row"] = ("single", [
    ("expect_table_row_count_to_equal", {"value": 1}),
    ("expect_column_stdev_to_be_between", {"column": "v", "min_value": 0}),  # stdev of one value
    ("expect_column_mean_to_be_between", {"column": "v", "min_value": 5, "max_value": 5}),
    ("expect_column_median_to_be_between", {"column": "v", "min_value": 5, "max_value": 5}),
    ("expect_column_quantile_values_to_be_between",
     {"column": "v", "quantile_ranges": {"quantiles": [0.0, 0.5, 1.0], "value_ranges": [[5, 5], [5, 5], [5, 5]]}}),
    ("expect_column_values_to_be_unique", {"column": "s"}),
    ("expect_column_proportion_of_unique_values_to_be_between", {"column": "s", "min_value": 1, "max_value": 1}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "s", "value_set": ["a"]}),
    ("expect_column_values_to_be_increasing", {"column": "v", "strictly": True}),
])

TX_SEED = [
    ("expect_column_values_to_not_be_null", {"column": "user_id"}),
    ("expect_column_values_to_be_between", {"column": "transaction_amount", "min_value": 0, "max_value": 10000}),
    ("expect_column_values_to_be_in_set", {"column": "status", "value_set": STATUS}),
    ("expect_table_row_count_to_be_between", {"min_value": 1}),
    ("expect_column_values_to_be_unique", {"column": "user_id"}),
    ("expect_column_values_to_match_regex", {"column": "user_id", "regex": r"^u\d{3}$"}),
    ("expect_column_values_to_be_between", {"column": "transaction_amount", "min_value": 0,
                                            "max_value": 10000, "mostly": 0.8}),
    ("expect_column_value_lengths_to_equal", {"column": "country", "value": 2}),
    ("expect_column_values_to_match_strftime_format",
     {"column": "created_at", "strftime_format": "%Y-%m-%dT%H:%M:%S"}),
    ("expect_column_values_to_be_increasing", {"column": "created_at"}),
    ("expect_column_sum_to_be_between", {"column": "transaction_amount", "min_value": 0}),
    ("expect_column_most_common_value_to_be_in_set", {"column": "country", "value_set": ["US"]}),
]
SUITES["transactions"] = ("transactions", TX_SEED)

# Legacy 0.x suites: written in the 0.x shape from the named 1.x suite and validated
# after the documented key renames. Their results must equal the 1.x suite's.
LEGACY = {"transactions_legacy_0x": "transactions"}


# ---------------------------------------------------------------------------

def suite_1x(name: str, exps: list[E], data: str) -> dict:
    return {
        "name": name,
        "id": None,
        "expectations": [{"type": t, "kwargs": kw, "meta": {"fixture_index": i}} for i, (t, kw) in enumerate(exps)],
        "suite_parameters": {},
        "meta": {"great_expectations_version": gx.__version__, "datagate_fixture_data": f"data/{data}.csv"},
        "notes": None,
    }


def suite_0x(name: str, exps: list[E], data: str) -> dict:
    return {
        "expectation_suite_name": name,
        "ge_cloud_id": None,
        "expectations": [
            {"expectation_type": t, "kwargs": kw, "meta": {"fixture_index": i}} for i, (t, kw) in enumerate(exps)
        ],
        "evaluation_parameters": {},
        "data_asset_type": None,
        "meta": {"great_expectations_version": "0.18.21", "datagate_fixture_data": f"data/{data}.csv"},
    }


def load_suite_dict(raw: dict) -> dict:
    """0.x -> 1.x key renames (exactly what datagate must do); 1.x passes through."""
    if "expectation_suite_name" not in raw:
        return raw
    return {
        "name": raw["expectation_suite_name"],
        "id": raw.get("ge_cloud_id"),
        "expectations": [
            {"type": e["expectation_type"], "kwargs": e["kwargs"], "meta": e.get("meta", {})}
            for e in raw["expectations"]
        ],
        "suite_parameters": raw.get("evaluation_parameters", {}),
        "meta": raw.get("meta", {}),
    }


def sanitize(o):
    if isinstance(o, dict):
        return {str(k): sanitize(v) for k, v in o.items()}
    if isinstance(o, (list, tuple, set)):
        return [sanitize(v) for v in o]
    if isinstance(o, np.ndarray):
        return [sanitize(v) for v in o.tolist()]
    if isinstance(o, np.generic):
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return "NaN" if math.isnan(o) else ("Infinity" if o > 0 else "-Infinity")
    if o is None or isinstance(o, (str, int, float, bool)):
        return o
    if o is pd.NA or o is pd.NaT:
        return None
    return f"<{type(o).__name__}: {o}>"


def normalize(res: dict) -> dict:
    for r in res.get("results", []):
        cfg = r.get("expectation_config") or {}
        if "id" in cfg:
            cfg["id"] = None
    res["id"] = None
    markers = res.get("meta", {}).get("batch_markers", {})
    if "ge_load_time" in markers:
        markers["ge_load_time"] = "normalized"
    return res


SUMMARY_KEYS = (
    "observed_value", "element_count", "missing_count", "missing_percent", "unexpected_count",
    "unexpected_percent", "unexpected_percent_nonmissing", "unexpected_percent_total",
    "partial_unexpected_list", "partial_unexpected_index_list", "unexpected_index_list", "partial_missing_list",
    "details",
)


def summarize(res: dict) -> list[dict]:
    """One compact row per expectation, in SUITE order (GX reorders results by domain).

    Derived only from GX's result: fixture_index comes from the expectation's meta.
    """
    rows = []
    for r in res["results"]:
        cfg = r["expectation_config"]
        ei = r.get("exception_info") or {}
        # 1.x: either {"raised_exception": bool, ...} or {"<metric id>": {"raised_exception": ...}, ...}
        if "raised_exception" in ei:
            excs = [ei] if ei.get("raised_exception") else []
        else:
            excs = [v for v in ei.values() if isinstance(v, dict) and v.get("raised_exception")]
        rows.append({
            "fixture_index": (cfg.get("meta") or {}).get("fixture_index"),
            "type": cfg["type"],
            "kwargs": {k: v for k, v in cfg["kwargs"].items() if k != "batch_id"},
            "success": r["success"],
            "raised_exception": bool(excs),
            "exception_message": excs[0].get("exception_message") if excs else None,
            **{k: r["result"][k] for k in SUMMARY_KEYS if k in r["result"]},
        })
    rows.sort(key=lambda x: (x["fixture_index"] is None, x["fixture_index"]))
    return rows


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def describe_dataset(csv: Path) -> dict:
    df = pd.read_csv(csv)
    cols = {}
    for c in df.columns:
        s = df[c]
        nonnull = s[s.notna()]
        cols[c] = {
            "dtype": str(s.dtype),
            "null_count": int(s.isna().sum()),
            "python_types": sorted({type(v).__name__ for v in nonnull.tolist()}),
            # pandas' value for every row; null where pandas has NaN/None (isna).
            "values": sanitize([None if pd.isna(v) else v for v in s.tolist()]),
        }
    return {"rows": int(len(df)), "columns": cols}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()
    out: Path = args.out.resolve()
    root = Path.cwd().resolve()
    data_dir = out / "data"

    # 1. suites
    suite_files: dict[str, Path] = {}
    for name, (data, exps) in SUITES.items():
        p = out / "suites" / f"{name}.json"
        write_json(p, suite_1x(name, exps, data))
        suite_files[name] = p
    for name, src in LEGACY.items():
        data, exps = SUITES[src]
        p = out / "suites" / f"{name}.json"
        write_json(p, suite_0x(name, exps, data))
        suite_files[name] = p
    suite_data = {**{n: d for n, (d, _) in SUITES.items()}, **{n: SUITES[s][0] for n, s in LEGACY.items()}}

    # 2. dataset descriptions (pandas' view of each CSV)
    datasets = {p.stem: describe_dataset(p) for p in sorted(data_dir.glob("*.csv"))}
    write_json(out / "datasets.json", {
        "great_expectations_version": gx.__version__,
        "pandas_version": pd.__version__,
        "numpy_version": np.__version__,
        "datasets": datasets,
    })

    # 3. validate
    ctx = gx.get_context(mode="ephemeral")
    try:  # no progress bars on stderr
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 - cosmetic only
        pass
    source = ctx.data_sources.add_pandas(name="pandas")
    batch_defs = {}
    for stem in sorted({d for d in suite_data.values()}):
        rel = os.path.relpath(data_dir / f"{stem}.csv", root)
        asset = source.add_csv_asset(name=stem, filepath_or_buffer=rel)
        batch_defs[stem] = asset.add_batch_definition_whole_dataframe("whole")

    cases = []
    for name, path in suite_files.items():
        stem = suite_data[name]
        raw = json.loads(path.read_text(encoding="utf-8"))
        suite = ctx.suites.add(gx.ExpectationSuite(**load_suite_dict(raw)))
        batch = batch_defs[stem].get_batch()
        res = batch.validate(suite, result_format={"result_format": "COMPLETE"})
        res_json = normalize(sanitize(res.to_json_dict()))
        case = f"{stem}__{name}"
        res_path = out / "results" / f"{case}.json"
        write_json(res_path, res_json)
        sum_path = out / "summaries" / f"{case}.json"
        write_json(sum_path, {
            "case": case,
            "success": res_json["success"],
            "statistics": res_json["statistics"],
            "expectations": summarize(res_json),
        })
        st = res_json["statistics"]
        n_exc = sum(1 for r in summarize(res_json) if r["raised_exception"])
        print(f"{case}: {st['successful_expectations']}/{st['evaluated_expectations']} passed, "
              f"{n_exc} raised", file=sys.stderr)
        cases.append({
            "case": case,
            "data": f"data/{stem}.csv",
            "suite": f"suites/{path.name}",
            "result": f"results/{res_path.name}",
            "summary": f"summaries/{sum_path.name}",
        })
    # A plain array; paths are relative to tests/fixtures/gx/. Versions are in datasets.json.
    write_json(out / "cases.json", cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
