"""Label flips at one rate over several seeds: datagate (default settings, and optionally
with `--set` overrides) against cleanlab on the same files.

The main benchmark (bench.py) injects each attack once, with one seed; on tables of 150 to
600 rows a single seed decides a lot (5% of wine is nine rows). This script repeats the
label-flip cases (random and class-conditional, the same class pairs as bench.py) over
several seeds, and prints per case and on average: datagate's F1, the variant's F1,
cleanlab's F1, and how often each is at least cleanlab's and at least 0.7. Seeds 101–105
chose settings (`AUTO_REPEATS`, `RECHECK_MARGIN` in
crates/audit/src/detectors/label_issues.rs); the default, 201–205, chose nothing: judge a
change there.

usage: python seeds.py --datagate BIN --work DIR [--seeds 201-205] [--rate 0.05]
                       [--variant KEY=VALUE ...]
(run through bench/audit/run.sh's venv: it needs scikit-learn, cleanlab, pandas)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "peers", "cleanlab"))

from bench import TABLES  # noqa: E402  (same class pairs as the main benchmark)


def audit_f1(dg, case_dir, sets):
    cmd = [dg, "audit", os.path.join(case_dir, "data.csv"), "--label", "label", "--format", "json",
           "--detectors", "label_issues", "-o", os.path.join(case_dir, "out.json")]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, capture_output=True)  # exit 1 = findings fail: expected
    out = subprocess.run([dg, "redteam", "score", "--report", os.path.join(case_dir, "out.json"),
                          "--truth", os.path.join(case_dir, "truth.json"), "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["attacks"][0]["f1"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datagate", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seeds", default="201-205")
    ap.add_argument("--rate", type=float, default=0.05)
    ap.add_argument("--variant", action="append", default=[], help="KEY=VALUE for --set")
    args = ap.parse_args()
    import run_cleanlab

    lo, hi = (int(x) for x in args.seeds.split("-"))
    src = os.path.join(args.work, "sources")
    subprocess.run([sys.executable, os.path.join(HERE, "make_sources.py"), src], check=True)
    rows = []
    for table, (a, b, _target) in TABLES.items():
        for kind in ("random", "class"):
            attack = (f"label-flip:rate={args.rate}" if kind == "random"
                      else f"label-flip:from={a},to={b},rate={args.rate}")
            for seed in range(lo, hi + 1):
                name = f"{table}-{kind}-{seed}"
                d = os.path.join(args.work, "seeds", name)
                os.makedirs(d, exist_ok=True)
                subprocess.run([args.datagate, "redteam", "inject", os.path.join(src, f"{table}.csv"),
                                "--label", "label", "--seed", str(seed), "--attack", attack,
                                "-o", os.path.join(d, "data.csv"), "--truth", os.path.join(d, "truth.json")],
                               check=True, capture_output=True)
                json.dump({"label": "label", "text": None}, open(os.path.join(d, "case.json"), "w"))
                row = {"case": name, "datagate": audit_f1(args.datagate, d, [])}
                if args.variant:
                    row["variant"] = audit_f1(args.datagate, d, args.variant)
                row["cleanlab"] = run_cleanlab.run_case(d)["f1"]
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    cols = ["datagate"] + (["variant"] if args.variant else []) + ["cleanlab"]
    print(f"{'case':<26}" + "".join(f"{c:>10}" for c in cols))
    for r in rows:
        print(f"{r['case']:<26}" + "".join(f"{r[c]:>10.3f}" for c in cols))
    print(f"{'mean F1':<26}" + "".join(f"{statistics.mean(r[c] for r in rows):>10.3f}" for c in cols))
    for c in cols[:-1]:
        ge = sum(r[c] >= r["cleanlab"] - 1e-9 for r in rows)
        ok = sum(r[c] >= 0.7 for r in rows)
        print(f"{c}: F1 >= cleanlab's in {ge} of {len(rows)} cases, F1 >= 0.7 in {ok}")
    if args.variant:
        print("variant: --set " + " --set ".join(args.variant))


if __name__ == "__main__":
    main()
