"""The peer for datagate's label-issue detector: cleanlab's confident learning.

For each case (a poisoned CSV and its datagate ground-truth JSON), out-of-sample
probabilities come from scikit-learn: 5-fold stratified cross_val_predict of
LogisticRegression(max_iter=2000) on standardised numeric features (text cases: TF-IDF
of word 1-2 grams instead), then `cleanlab.filter.find_label_issues(labels, pred_probs)`
with its defaults (filter_by="prune_by_noise_rate"). Precision, recall and F1 are taken
against the label-flip rows of the ground truth; seconds are wall time of the whole
(cross-validation + cleanlab) step, user+sys CPU alongside.

usage: python run_cleanlab.py OUT.json CASE_DIR [CASE_DIR...]
       (CASE_DIR holds data.csv, truth.json and case.json with "label" and optional "text")
"""
import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
from cleanlab.filter import find_label_issues
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_case(case_dir):
    case = json.load(open(os.path.join(case_dir, "case.json")))
    truth = json.load(open(os.path.join(case_dir, "truth.json")))
    df = pd.read_csv(os.path.join(case_dir, "data.csv"))
    label, text = case["label"], case.get("text")
    t0, c0 = time.perf_counter(), cpu()
    classes = sorted(df[label].astype(str).unique())
    y = df[label].astype(str).map({c: i for i, c in enumerate(classes)}).to_numpy()
    if text:
        X = df[text].fillna("").astype(str)
        model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=1), LogisticRegression(max_iter=2000))
    else:
        X = df.drop(columns=[label]).select_dtypes("number").fillna(0).to_numpy()
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    folds = min(5, int(np.bincount(y).min()))
    cv = StratifiedKFold(n_splits=max(2, folds), shuffle=True, random_state=0)
    probs = cross_val_predict(model, X, y, cv=cv, method="predict_proba")
    issues = np.flatnonzero(find_label_issues(labels=y, pred_probs=probs))
    seconds, cpu_s = time.perf_counter() - t0, cpu() - c0
    poisoned = set()
    for a in truth["attacks"]:
        if a["kind"] == "label-flip":
            poisoned.update(a["rows"])
    flagged = set(int(i) for i in issues)
    tp = len(flagged & poisoned)
    p = tp / len(flagged) if flagged else 0.0
    r = tp / len(poisoned) if poisoned else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "case": os.path.basename(case_dir.rstrip("/")),
        "poisoned": len(poisoned), "flagged": len(flagged), "true_positives": tp,
        "precision": p, "recall": r, "f1": f1,
        "seconds": seconds, "cpu_seconds": cpu_s,
    }


if __name__ == "__main__":
    out = sys.argv[1]
    results = [run_case(d) for d in sys.argv[2:]]
    for r in results:
        print(f"cleanlab {r['case']:<32} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}  {r['seconds']:.2f}s")
    with open(out, "w") as f:
        json.dump({"tool": "cleanlab.filter.find_label_issues", "model": "5-fold LogisticRegression(max_iter=2000), StandardScaler (tables) / TF-IDF 1-2 grams (text)", "results": results}, f, indent=1)
        f.write("\n")
