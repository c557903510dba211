"""Label flips at scale: `datagate audit --detectors label_issues` against cleanlab on the
same generated file, with wall time, peak memory, F1 and the ratio.

Data: scikit-learn `make_classification` (20 features, 10 informative, 4 redundant, 2
classes, one cluster per class, class_sep 1.5, seed 0: the problem of the shared peer kit's
`cleanlab_issues.py`), written as CSV; `datagate redteam inject` flips 5% of the labels
(seed 1) and writes the ground truth. cleanlab runs `tests/peers/cleanlab/run_cleanlab.py`
(5-fold stratified `cross_val_predict` of LogisticRegression on standardised features, then
`find_label_issues`) in its own process; both are timed as whole processes (reading the CSV
included) with GNU time, and cleanlab's in-process seconds (cross-validation +
`find_label_issues`, CSV read excluded) are printed beside them.

usage: python scale.py --datagate BIN --work DIR [--rows 1000000]
(run through bench/audit/run.sh's venv: it needs scikit-learn, cleanlab, pandas)
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "..", "..", "tests", "peers", "cleanlab")


def timed(cmd):
    """Runs cmd under GNU time; returns (wall seconds, peak RSS MiB, stdout)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, capture_output=True, text=True)
    if out.returncode not in (0, 1):  # datagate exits 1 when a finding fails: expected
        sys.exit(f"{cmd[0]} failed: {out.stderr[-2000:]}")
    wall, rss = out.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss) / 1024, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datagate", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    case = os.path.join(args.work, f"scale-{args.rows}")
    os.makedirs(case, exist_ok=True)
    clean, data = os.path.join(case, "clean.csv"), os.path.join(case, "data.csv")
    truth = os.path.join(case, "truth.json")
    if not os.path.exists(truth):
        import numpy as np
        import pandas as pd
        from sklearn.datasets import make_classification

        X, y = make_classification(n_samples=args.rows, n_features=20, n_informative=10,
                                   n_redundant=4, n_classes=2, n_clusters_per_class=1,
                                   flip_y=0.0, class_sep=1.5, random_state=0)
        df = pd.DataFrame(X.astype(np.float32), columns=[f"f{i}" for i in range(20)])
        df["label"] = y
        df.to_csv(clean, index=False, float_format="%.6g")
        subprocess.run([args.datagate, "redteam", "inject", clean, "--label", "label", "--seed", "1",
                        "--attack", "label-flip:rate=0.05", "-o", data, "--truth", truth],
                       check=True, capture_output=True)
        json.dump({"label": "label", "text": None}, open(os.path.join(case, "case.json"), "w"))
    report = os.path.join(case, "report.json")
    dg_wall, dg_rss, _ = timed([args.datagate, "audit", data, "--label", "label", "--detectors",
                                "label_issues", "--format", "json", "-o", report])
    dg_det = dict(json.load(open(report))["timings"])["label_issues"]
    score = json.loads(subprocess.run([args.datagate, "redteam", "score", "--report", report,
                                       "--truth", truth, "--format", "json"],
                                      capture_output=True, text=True, check=True).stdout)
    dg = score["attacks"][0]
    cl_wall, cl_rss, cl_out = timed([sys.executable, "-c",
                                     f"import sys, json; sys.path.insert(0, {PEER!r}); "
                                     f"import run_cleanlab; "
                                     f"print(json.dumps(run_cleanlab.run_case({case!r})))"])
    cl = json.loads(cl_out.strip().splitlines()[-1])
    print(f"{'rows':>9} {'tool':<10} {'P':>6} {'R':>6} {'F1':>6} {'wall s':>7} {'in-proc s':>9} "
          f"{'RSS MiB':>8}")
    print(f"{args.rows:>9} {'datagate':<10} {dg['precision']:>6.3f} {dg['recall']:>6.3f} "
          f"{dg['f1']:>6.3f} {dg_wall:>7.2f} {dg_det:>9.2f} {dg_rss:>8.0f}")
    print(f"{args.rows:>9} {'cleanlab':<10} {cl['precision']:>6.3f} {cl['recall']:>6.3f} "
          f"{cl['f1']:>6.3f} {cl_wall:>7.2f} {cl['seconds']:>9.2f} {cl_rss:>8.0f}")
    print(f"cleanlab / datagate: wall {cl_wall / dg_wall:.2f}x, "
          f"in-process {cl['seconds'] / dg_det:.2f}x (datagate's in-process = the detector)")


if __name__ == "__main__":
    main()
