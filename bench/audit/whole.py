"""Every detector at scale: the whole `datagate audit` (with a text column and a trusted
baseline, so all eight detectors run) on a generated table, with per-detector seconds, wall
time, peak memory and the score of each injected attack.

Data: scikit-learn `make_classification` (30 features, 12 informative, 6 redundant, 2
classes, class_sep 1.5, seed 0) plus a `review` column of 6-14 words drawn from a 2,000-word
vocabulary in which 200 words lean towards each class; the baseline is the same generator's
first rows and the audited table the rest, so the baseline is an independent sample of the
same distribution. `datagate redteam inject` (seed 1) then flips 2% of the labels and stamps
the token `cf` into 0.5% of rows with their label set to `1` (a text backdoor).

usage: python whole.py --datagate BIN --work DIR [--rows 1000000]
(run through bench/audit/run.sh's venv: it needs scikit-learn, numpy, pandas)
"""
import argparse
import json
import os
import subprocess

from scale import timed  # the same GNU time wrapper as the label-flip scale benchmark


def generate(rows, clean, baseline):
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=2 * rows, n_features=30, n_informative=12,
                               n_redundant=6, n_classes=2, n_clusters_per_class=1,
                               flip_y=0.0, class_sep=1.5, random_state=0)
    rng = np.random.default_rng(0)
    vocab = np.array([f"w{i}" for i in range(2000)])
    # words 0-199 lean to class 0, 200-399 to class 1, the rest are neutral
    lengths = rng.integers(6, 15, size=2 * rows)
    texts = []
    for label, n in zip(y, lengths):
        lean = rng.random(n) < 0.3
        lo = 0 if label == 0 else 200
        words = np.where(lean, rng.integers(lo, lo + 200, n), rng.integers(400, 2000, n))
        texts.append(" ".join(vocab[words]))
    df = pd.DataFrame(X.astype(np.float32), columns=[f"f{i}" for i in range(30)])
    df["review"] = texts
    df["label"] = y
    df.iloc[:rows].to_csv(baseline, index=False, float_format="%.6g")
    df.iloc[rows:].to_csv(clean, index=False, float_format="%.6g")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datagate", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    case = os.path.join(args.work, f"whole-{args.rows}")
    os.makedirs(case, exist_ok=True)
    clean, baseline = os.path.join(case, "clean.csv"), os.path.join(case, "baseline.csv")
    data, truth = os.path.join(case, "data.csv"), os.path.join(case, "truth.json")
    if not os.path.exists(truth):
        generate(args.rows, clean, baseline)
        subprocess.run([args.datagate, "redteam", "inject", clean, "--label", "label",
                        "--text", "review", "--seed", "1",
                        "--attack", "label-flip:rate=0.02",
                        "--attack", "text-trigger:token=cf,target=1,rate=0.005",
                        "-o", data, "--truth", truth], check=True, capture_output=True)
    report = os.path.join(case, "report.json")
    wall, rss, _ = timed([args.datagate, "audit", data, "--label", "label", "--text", "review",
                          "--baseline", baseline, "--format", "json", "-o", report])
    rep = json.load(open(report))
    print(f"whole audit of {args.rows} rows x 30 features + text, baseline {args.rows} rows: "
          f"{wall:.1f} s wall, {rss:.0f} MiB peak RSS")
    for name, secs in rep["timings"]:
        flagged = sum(len(f["rows"]) for f in rep["findings"] if f["detector"] == name)
        print(f"  {name:<18} {secs:>7.2f} s  {flagged:>8} rows flagged")
    for s in rep["skipped"]:
        print(f"  skipped {s['detector']}: {s['reason']}")
    score = subprocess.run([args.datagate, "redteam", "score", "--report", report,
                            "--truth", truth], capture_output=True, text=True, check=True)
    print(score.stdout)


if __name__ == "__main__":
    main()
