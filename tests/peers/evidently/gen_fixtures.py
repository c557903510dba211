"""Record Evidently 0.7.23's drift verdicts as JSON fixtures for crates/drift.

Run:  bash tests/peers/evidently/run.sh

Each case stores the reference/current data themselves (small, values rounded so
the JSON is exact), the options, and Evidently's per-column method, threshold,
score and verdict plus the dataset verdict (legacy DataDriftPreset, which the
0.7 API's DataDriftPreset calls through get_one_column_drift).
Encoding of values: null = missing, "inf" / "-inf" = infinities.
"""
import json
import math
import sys
import warnings

import numpy as np
import pandas as pd
import evidently
from evidently.legacy.metric_preset import DataDriftPreset
from evidently.legacy.pipeline.column_mapping import ColumnMapping
from evidently.legacy.report import Report

warnings.filterwarnings("ignore")
rng = np.random.default_rng(20261123)


def enc(v):
    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return v


def num(n, loc=0.0, scale=1.0, digits=4):
    return np.round(rng.normal(loc, scale, n), digits)


def cat(n, labels, p=None):
    return rng.choice(labels, n, p=p).astype(object)


def run_case(name, ref, cur, numerical, categorical, preset_kwargs=None):
    preset_kwargs = preset_kwargs or {}
    report = Report(metrics=[DataDriftPreset(**preset_kwargs)])
    report.run(
        reference_data=ref,
        current_data=cur,
        column_mapping=ColumnMapping(numerical_features=numerical, categorical_features=categorical, target=None, prediction=None),
    )
    d = report.as_dict()
    ds = d["metrics"][0]["result"]
    table = d["metrics"][1]["result"]["drift_by_columns"]
    cols = {}
    for c in numerical + categorical:
        integer = bool(pd.api.types.is_integer_dtype(ref[c].dtype))
        cols[c] = {
            "role": "num" if c in numerical else "cat",
            "integer": integer,
            "reference": [enc(v) for v in ref[c].tolist()],
            "current": [enc(v) for v in cur[c].tolist()],
        }
    expected = {
        k: {
            "column_type": v["column_type"],
            "stattest_name": v["stattest_name"],
            "threshold": v["stattest_threshold"],
            "score": float(v["drift_score"]),
            "drift_detected": bool(v["drift_detected"]),
        }
        for k, v in table.items()
    }
    return {
        "name": name,
        "options": {k: v for k, v in preset_kwargs.items()},
        "columns": cols,
        "expected": {
            "dataset_drift": ds["dataset_drift"],
            "drift_share": ds["drift_share"],
            "number_of_columns": ds["number_of_columns"],
            "number_of_drifted_columns": ds["number_of_drifted_columns"],
            "share_of_drifted_columns": ds["share_of_drifted_columns"],
            "columns": expected,
        },
    }


cases = []

# 1. small reference (<= 1000): KS, chi-square, Z; ties, nulls, infinities, constants
n, m = 200, 150
ref = pd.DataFrame({
    "num_shift": num(n), "num_same": num(n), "num_ties": np.round(rng.normal(0, 1, n), 1),
    "num_few": rng.choice([1.5, 2.5, 3.5], n), "num_bin": rng.choice([0.0, 1.0], n),
    "num_nulls": num(n), "cat3": cat(n, ["x", "y", "z"]), "cat_bin": cat(n, ["yes", "no"]),
    "cat_const": np.array(["a"] * n, dtype=object), "cat_new": cat(n, ["p", "q", "r"]),
    "int_cat": rng.choice([1, 2, 3, 4], n),
})
cur = pd.DataFrame({
    "num_shift": num(m, 0.6), "num_same": num(m), "num_ties": np.round(rng.normal(0.1, 1, m), 1),
    "num_few": rng.choice([1.5, 2.5, 3.5], m, p=[0.5, 0.3, 0.2]), "num_bin": rng.choice([0.0, 1.0], m, p=[0.7, 0.3]),
    "num_nulls": num(m, 0.2), "cat3": cat(m, ["x", "y", "z"], [0.5, 0.3, 0.2]), "cat_bin": cat(m, ["yes", "no"]),
    "cat_const": np.array(["a"] * m, dtype=object), "cat_new": cat(m, ["p", "q", "r", "s"]),
    "int_cat": rng.choice([1, 2, 3, 4], m),
})
ref.loc[[3, 17, 40], "num_nulls"] = np.nan
ref.loc[[5], "num_nulls"] = np.inf
cur.loc[[1, 2], "num_nulls"] = -np.inf
cur.loc[[9, 30, 31], "num_nulls"] = np.nan
ref.loc[[0, 1], "cat3"] = None
cases.append(run_case("small_mixed", ref, cur,
                      ["num_shift", "num_same", "num_ties", "num_few", "num_bin", "num_nulls"],
                      ["cat3", "cat_bin", "cat_const", "cat_new", "int_cat"]))

# 2. large reference (> 1000): Wasserstein and Jensen-Shannon
n, m = 1500, 1200
ref = pd.DataFrame({
    "w_small": num(n), "w_big": num(n, 5, 2), "w_const": np.full(n, 7.0),
    "few5": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], n), "cat_many": cat(n, list("abcdefghij")),
    "cat_nulls": cat(n, ["u", "v", "w"]), "int_num": rng.integers(0, 40, n),
})
cur = pd.DataFrame({
    "w_small": num(m, 0.05), "w_big": num(m, 6, 2), "w_const": np.round(rng.normal(7, 0.01, m), 4),
    "few5": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], m, p=[0.4, 0.15, 0.15, 0.15, 0.15]),
    "cat_many": cat(m, list("abcdefghij")), "cat_nulls": cat(m, ["u", "v", "w"], [0.6, 0.2, 0.2]),
    "int_num": rng.integers(0, 42, m),
})
ref.loc[rng.choice(n, 100, replace=False), "cat_nulls"] = None
cur.loc[rng.choice(m, 50, replace=False), "w_small"] = np.nan
cases.append(run_case("large_mixed", ref, cur, ["w_small", "w_big", "w_const", "few5", "int_num"], ["cat_many", "cat_nulls"]))

# 3. tests by name (per-column stattest), including Sturges-binned JS/PSI/K-L
ref = pd.DataFrame({c: num(n, 0, 1) for c in ["psi_n", "kl_n", "js_n", "hel_n", "ed_n", "t_n", "ks_n", "psi_few"]})
cur = pd.DataFrame({c: num(m, 0.15, 1.1) for c in ["psi_n", "kl_n", "js_n", "hel_n", "ed_n", "t_n", "ks_n", "psi_few"]})
ref["psi_few"] = rng.choice([0.0, 1.0, 2.0], n)
cur["psi_few"] = rng.choice([0.0, 1.0, 2.0, 3.0], m)
ref["psi_c"] = cat(n, ["a", "b", "c", "d"])
cur["psi_c"] = cat(m, ["a", "b", "c"])
ref["hel_c"] = cat(n, ["a", "b", "c", "d"])
cur["hel_c"] = cat(m, ["a", "b", "c", "d"], [0.4, 0.2, 0.2, 0.2])
ref["kl_c"] = cat(n, ["a", "b", "c"])
cur["kl_c"] = cat(m, ["a", "b", "c"], [0.5, 0.25, 0.25])
per = {"psi_n": "psi", "kl_n": "kl_div", "js_n": "jensenshannon", "hel_n": "hellinger", "ed_n": "ed",
       "t_n": "t_test", "ks_n": "ks", "psi_few": "psi", "psi_c": "psi", "hel_c": "hellinger", "kl_c": "kl_div"}
cases.append(run_case("named_tests", ref, cur,
                      ["psi_n", "kl_n", "js_n", "hel_n", "ed_n", "t_n", "ks_n", "psi_few"], ["psi_c", "hel_c", "kl_c"],
                      {"per_column_stattest": per}))

# 4. exactly half drifted -> dataset drift; and a global threshold override
n, m = 300, 300
ref = pd.DataFrame({"a": num(n), "b": num(n)})
cur = pd.DataFrame({"a": num(m, 1.0), "b": num(m)})
cases.append(run_case("half_drifted", ref, cur, ["a", "b"], []))
ref = pd.DataFrame({"a": num(n), "b": num(n), "c": num(n)})
cur = pd.DataFrame({"a": num(m, 1.0), "b": num(m, 0.2), "c": num(m)})
cases.append(run_case("one_of_three", ref, cur, ["a", "b", "c"], []))
cases.append(run_case("threshold_override", ref, cur, ["a", "b", "c"], [], {"stattest_threshold": 0.2}))
cases.append(run_case("global_stattest_psi", ref, cur, ["a", "b", "c"], [], {"stattest": "psi", "drift_share": 0.3}))

# 5. the 1000-row boundary
ref = pd.DataFrame({"x": num(1000), "y": num(1001)[:1000]})
cur = pd.DataFrame({"x": num(900, 0.1), "y": num(900, 0.1)})
cases.append(run_case("boundary_1000", ref, cur, ["x", "y"], []))
ref = pd.DataFrame({"x": num(1001)})
cur = pd.DataFrame({"x": num(900, 0.1)})
cases.append(run_case("boundary_1001", ref, cur, ["x"], []))

# 6. the rank and count tests by name (anderson, cramer_von_mises, mannw, es, TVD,
# fisher_exact, g_test). Evidently's fisher_exact and g_test need equal sample sizes,
# so both frames have the same length. TVD columns named *_sorted hold each side's
# rows sorted by label (datagate's key order), where datagate replays Evidently's
# permutations exactly; tvd_unsorted is in random order (same p-value only up to
# Monte Carlo noise, see crates/drift/src/stattests/tvd.rs).
def sorted_cat(n, labels, p=None):
    return np.array(sorted(cat(n, labels, p)), dtype=object)


def rank_count_case(name, n):
    ref = pd.DataFrame({
        "and_n": num(n), "cvm_n": num(n), "mw_up": num(n), "mw_down": num(n),
        "mw_ties": np.round(rng.normal(0, 1, n), 1), "and_far": num(n), "es_n": num(n), "es_same": num(n),
        "tvd_sorted": sorted_cat(n, ["a", "b", "c"]), "tvd_same_sorted": sorted_cat(n, ["a", "b", "c", "d"]),
        "tvd_unsorted": cat(n, ["a", "b", "c"]),
        "fisher_c": cat(n, ["no", "yes"]), "fisher_same": cat(n, ["no", "yes"]),
        "g_c": cat(n, ["p", "q", "r", "s"]), "g_same": cat(n, ["p", "q", "r"]),
    })
    cur = pd.DataFrame({
        "and_n": num(n, 0.15), "cvm_n": num(n, 0.1), "mw_up": num(n, 0.3), "mw_down": num(n, -0.3),
        "mw_ties": np.round(rng.normal(0.1, 1, n), 1), "and_far": num(n, 3.0),
        "es_n": num(n, 0.4), "es_same": num(n),
        "tvd_sorted": sorted_cat(n, ["a", "b", "c"], [0.5, 0.3, 0.2]),
        "tvd_same_sorted": sorted_cat(n, ["a", "b", "c", "d"]),
        "tvd_unsorted": cat(n, ["a", "b", "c"], [0.6, 0.2, 0.2]),
        "fisher_c": cat(n, ["no", "yes"], [0.7, 0.3]), "fisher_same": cat(n, ["no", "yes"]),
        "g_c": cat(n, ["p", "q", "r", "s"], [0.4, 0.2, 0.2, 0.2]), "g_same": cat(n, ["p", "q", "r"]),
    })
    per = {"and_n": "anderson", "and_far": "anderson", "cvm_n": "cramer_von_mises", "mw_up": "mannw",
           "mw_down": "mannw", "mw_ties": "mannw", "tvd_sorted": "TVD", "tvd_same_sorted": "TVD",
           "tvd_unsorted": "TVD", "fisher_c": "fisher_exact", "fisher_same": "fisher_exact",
           "g_c": "g_test", "g_same": "g_test", "es_n": "es", "es_same": "es"}
    nums = ["and_n", "cvm_n", "mw_up", "mw_down", "mw_ties", "and_far", "es_n", "es_same"]
    cats = ["tvd_sorted", "tvd_same_sorted", "tvd_unsorted", "fisher_c", "fisher_same", "g_c", "g_same"]
    return run_case(name, ref, cur, nums, cats, {"per_column_stattest": per})


cases.append(rank_count_case("named_rank_count_400", 400))
cases.append(rank_count_case("named_rank_count_8", 8))   # exact CvM and Mann-Whitney

# 7. empirical_mmd: Evidently does not seed numpy's global generator for it, and the
# Report itself draws from that generator before the test, so a report's score cannot
# be reproduced. The score recorded is Evidently's own stattest function called right
# after np.random.seed(0), as datagate seeds it; the report's verdict must agree.
# Rows sorted per side, as datagate's samples are (the permutations act on positions).
from evidently.legacy.calculations.stattests.mmd_stattest import _mmd_stattest
from evidently.legacy.core import ColumnType

for name, shift in [("mmd_shift", 0.8), ("mmd_same", 0.0)]:
    ref = pd.DataFrame({"m": np.sort(num(120))})
    cur = pd.DataFrame({"m": np.sort(num(100, shift))})
    case = run_case(name, ref, cur, ["m"], [], {"per_column_stattest": {"m": "empirical_mmd"}})
    np.random.seed(0)
    p, drifted = _mmd_stattest(ref["m"], cur["m"], ColumnType.Numerical, 0.1)
    col = case["expected"]["columns"]["m"]
    assert col["drift_detected"] == bool(drifted), (name, col, p)
    col["score"] = float(p)
    col["score_from"] = "_mmd_stattest after np.random.seed(0)"
    cases.append(case)

out = {
    "generator": "tests/peers/evidently/gen_fixtures.py",
    "evidently": evidently.__version__,
    "pandas": pd.__version__,
    "cases": cases,
}
with open(sys.argv[1], "w") as f:
    json.dump(out, f, separators=(",", ":"))
