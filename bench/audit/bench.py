"""The poisoning benchmark: real labelled data, known attacks, datagate vs cleanlab.

Starts from the clean sources written by make_sources.py, poisons them with
`datagate redteam inject` (fixed seeds), audits each case with `datagate audit`, scores it
with `datagate redteam score`, runs cleanlab on the label-flip cases
(tests/peers/cleanlab/run_cleanlab.py), prints one table and writes results.json.
With --fixtures, copies the small cases the Rust floor test replays
(crates/cli/tests/poisoning_floors.rs) plus the measured scores and cleanlab's.

usage: python bench.py --datagate BIN --work DIR [--fixtures DIR]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "peers", "cleanlab"))

TABLES = {  # name: (class A for class-conditional flips, class B, trigger target)
    "breast_cancer": ("1", "0", "0"),
    "wine": ("1", "0", "2"),
    "iris": ("1", "2", "0"),
    "digits": ("3", "8", "0"),
}
RATES = [("1", 0.01), ("5", 0.05), ("10", 0.10)]


def cases():
    out = []
    for t, (a, b, target) in TABLES.items():
        for tag, r in RATES:
            out.append((f"{t}-flip-random-{tag}", t, None, [f"label-flip:rate={r}"], 11, False))
            out.append((f"{t}-flip-class-{tag}", t, None, [f"label-flip:from={a},to={b},rate={r}"], 12, False))
        out.append((f"{t}-tabular-trigger-1", t, None, [f"tabular-trigger:rate=0.01,target={target}"], 13, False))
        out.append((f"{t}-feature-shift", t, None, ["feature-shift:rate=0.1,shift=3"], 14, True))
        # the flip-random-5 file again, audited with the clean table as --baseline
        out.append((f"{t}-flip-random-5-baseline", t, None, ["label-flip:rate=0.05"], 11, True))
        out.append((f"{t}-dup-exact", t, None, ["duplicates:mode=exact,rate=0.02"], 15, False))
        out.append((f"{t}-dup-near", t, None, ["duplicates:mode=near,rate=0.02"], 16, False))
        out.append((f"{t}-dup-conflict", t, None, ["duplicates:mode=conflict,rate=0.01"], 17, False))
    for tag, r in [("0.5", 0.005), ("1", 0.01), ("3", 0.03)]:
        out.append((f"reviews-text-trigger-{tag}", "reviews", "review", [f"text-trigger:rate={r},token=cf,target=fresh"], 21, False))
    out.append(("reviews-flip-random-5", "reviews", "review", ["label-flip:rate=0.05"], 22, False))
    out.append(("reviews-flip-random-5-baseline", "reviews", "review", ["label-flip:rate=0.05"], 22, True))
    out.append(("reviews-dup-exact", "reviews", "review", ["duplicates:mode=exact,rate=0.02"], 23, False))
    out.append(("reviews-dup-near", "reviews", "review", ["duplicates:mode=near,rate=0.02,edits=0.1"], 24, False))
    out.append(("reviews-dup-conflict", "reviews", "review", ["duplicates:mode=conflict,rate=0.01"], 25, False))
    return out


# the cases the Rust floor test replays (small enough to commit, fast in a debug build)
FIXTURES = [
    "breast_cancer-flip-random-5", "wine-flip-random-5", "iris-flip-random-5", "digits-flip-random-5",
    "breast_cancer-flip-class-5", "wine-flip-class-5", "iris-flip-class-5", "digits-flip-class-5",
    "reviews-text-trigger-1", "breast_cancer-tabular-trigger-1", "wine-tabular-trigger-1", "digits-tabular-trigger-1",
    "breast_cancer-dup-exact", "reviews-dup-exact", "reviews-dup-near", "reviews-dup-conflict",
    "wine-dup-near", "breast_cancer-dup-near",
    "wine-feature-shift", "breast_cancer-feature-shift", "reviews-flip-random-5",
]


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (exit code, wall s, user+sys s, peak RSS MiB, stderr)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", p.stderr).group(1))
    sys_ = float(re.search(r"System time \(seconds\): ([\d.]+)", p.stderr).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return p.returncode, wall, user + sys_, rss, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datagate", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--fixtures")
    ap.add_argument("--only", help="regex of case names to run")
    args = ap.parse_args()
    args.datagate = os.path.abspath(args.datagate)
    src = os.path.join(args.work, "sources")
    subprocess.run([sys.executable, os.path.join(HERE, "make_sources.py"), src], check=True)
    import run_cleanlab

    rows = []
    for name, source, text, attacks, seed, baseline in cases():
        if args.only and not re.search(args.only, name):
            continue
        d = os.path.join(args.work, "cases", name)
        os.makedirs(d, exist_ok=True)
        clean = os.path.join(src, f"{source}.csv")
        case = {"source": f"{source}.csv", "label": "label", "text": text, "attacks": attacks,
                "seed": seed, "baseline": baseline}
        json.dump(case, open(os.path.join(d, "case.json"), "w"), indent=1)
        inject = [args.datagate, "redteam", "inject", clean, "--label", "label", "--seed", str(seed),
                  "-o", os.path.join(d, "data.csv"), "--truth", os.path.join(d, "truth.json")]
        if text:
            inject += ["--text", text]
        for a in attacks:
            inject += ["--attack", a]
        subprocess.run(inject, check=True, capture_output=True)
        audit = [args.datagate, "audit", os.path.join(d, "data.csv"), "--label", "label",
                 "--format", "json", "-o", os.path.join(d, "audit.json")]
        if text:
            audit += ["--text", text]
        if baseline:
            audit += ["--baseline", clean]
        code, wall, cpu, rss, err = timed(audit)
        if code not in (0, 1):
            print(f"{name}: datagate audit failed ({code}): {err[-500:]}", file=sys.stderr)
            continue
        score = subprocess.run([args.datagate, "redteam", "score", "--format", "json",
                                "--truth", os.path.join(d, "truth.json"),
                                "--report", os.path.join(d, "audit.json")],
                               check=True, capture_output=True, text=True).stdout
        json.dump(json.loads(score), open(os.path.join(d, "score.json"), "w"), indent=1)
        report = json.load(open(os.path.join(d, "audit.json")))
        timings = dict((k, v) for k, v in report.get("timings", []))
        for s in json.loads(score)["attacks"]:
            det_s = sum(timings.get(x, 0.0) for x in s["detectors"])
            row = {"case": name, "attack": s["kind"] + (f" ({s['mode']})" if s.get("mode") else ""),
                   "detectors": "+".join(s["detectors"]), "datagate": s,
                   "audit_wall": wall, "audit_cpu": cpu, "audit_rss_mib": rss, "detector_seconds": det_s}
            if s["kind"] == "label-flip":
                row["cleanlab"] = run_cleanlab.run_case(d)
            rows.append(row)
        print(f"done {name}", file=sys.stderr)

    hdr = (f"{'case':<34} {'detector':<28} {'dg P':>6} {'dg R':>6} {'dg F1':>6} {'cl P':>6} {'cl R':>6} {'cl F1':>6}"
           f" {'dg s':>6} {'dg det s':>8} {'dg cpu':>6} {'cl s':>6}  notes")
    print(hdr)
    for r in rows:
        s, c = r["datagate"], r.get("cleanlab")
        notes = []
        for k in ("pair_recall", "trigger_named", "pattern_named", "target_named"):
            if s.get(k) is not None:
                notes.append(f"{k}={s[k] if not isinstance(s[k], float) else round(s[k], 3)}")
        notes += [f"{d['detector']} P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f}"
                  for d in s.get("by_detector", [])]
        notes += [f"skipped: {x}" for x in s.get("skipped", [])]
        notes += [f"also flagged by {c['detector']}: {c['rows']} of {s['poisoned']} (not counted)"
                  for c in s.get("caught_elsewhere", [])]
        cl = (f"{c['precision']:>6.3f} {c['recall']:>6.3f} {c['f1']:>6.3f}" if c else f"{'':>6} {'':>6} {'':>6}")
        print(f"{r['case']:<34} {r['detectors']:<28} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} {cl}"
              f" {r['audit_wall']:>6.2f} {r['detector_seconds']:>8.2f} {r['audit_cpu']:>6.2f} "
              f"{(c['seconds'] if c else float('nan')):>6.2f}  {'; '.join(notes)}")
    json.dump(rows, open(os.path.join(args.work, "results.json"), "w"), indent=1)

    if args.fixtures:
        fx = args.fixtures
        os.makedirs(os.path.join(fx, "cases"), exist_ok=True)
        measured = {}
        for name in FIXTURES:
            d = os.path.join(args.work, "cases", name)
            if not os.path.exists(os.path.join(d, "score.json")):
                continue
            o = os.path.join(fx, "cases", name)
            os.makedirs(o, exist_ok=True)
            for f in ("data.csv", "case.json"):
                shutil.copy(os.path.join(d, f), os.path.join(o, f))
            case = json.load(open(os.path.join(d, "case.json")))
            if case["baseline"]:  # the trusted copy the audit compares against
                shutil.copy(os.path.join(src, case["source"]), os.path.join(o, "baseline.csv"))
            # paths in the truth are relative to the case, not to this machine's scratch dir
            truth = json.load(open(os.path.join(d, "truth.json")))
            truth["source"] = "bench/audit/make_sources.py: " + os.path.basename(truth["source"])
            truth["output"] = "data.csv"
            with open(os.path.join(o, "truth.json"), "w") as f:
                json.dump(truth, f, indent=2)
                f.write("\n")
            measured[name] = {
                "datagate": json.load(open(os.path.join(d, "score.json")))["attacks"],
                "cleanlab": next((r["cleanlab"] for r in rows if r["case"] == name and "cleanlab" in r), None),
            }
        with open(os.path.join(fx, "measured.json"), "w") as f:
            json.dump(measured, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
