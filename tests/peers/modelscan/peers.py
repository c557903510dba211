#!/usr/bin/env python3
"""Scan every corpus file with picklescan, modelscan and fickling (static scanners; none of them
unpickles) and write {file: {peer: {"verdict": ..., "detail": ...}}} as JSON to OUT.

    peers.py CORPUS OUT

Normalised verdicts: malicious | suspicious | safe | error | not-scanned
  picklescan: a Dangerous global -> malicious; a Suspicious one -> suspicious; scan error -> error;
              nothing scanned -> not-scanned.
  modelscan:  CRITICAL/HIGH issue -> malicious; MEDIUM/LOW -> suspicious; errors -> error;
              skipped / nothing scanned -> not-scanned.
  fickling:   (LIKELY_)OVERTLY_MALICIOUS -> malicious; LIKELY_UNSAFE/SUSPICIOUS/POSSIBLY_UNSAFE ->
              suspicious; LIKELY_SAFE -> safe; exception -> error. Zips via scan_zip_archive.
"""
import contextlib
import io
import json
import logging
import os
import sys
import zipfile

logging.disable(logging.CRITICAL)


def picklescan(path):
    from picklescan.scanner import scan_file_path
    try:
        r = scan_file_path(path)
    except Exception as e:  # noqa: BLE001
        return {"verdict": "error", "detail": f"{type(e).__name__}: {e}"[:200]}
    globs = sorted({f"{g.module}.{g.name}:{g.safety.value}" for g in r.globals})
    if r.infected_files:
        v = "malicious"
    elif any(g.safety.value == "suspicious" for g in r.globals):
        v = "suspicious"
    elif r.scan_err:
        v = "error"
    elif r.scanned_files == 0:
        v = "not-scanned"
    else:
        v = "safe"
    return {"verdict": v, "detail": globs[:8]}


def modelscan(path):
    from modelscan.modelscan import ModelScan
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            r = ModelScan().scan(path)
    except Exception as e:  # noqa: BLE001
        return {"verdict": "error", "detail": f"{type(e).__name__}: {e}"[:200]}
    sev = {i["severity"] for i in r.get("issues", [])}
    if sev & {"CRITICAL", "HIGH"}:
        v = "malicious"
    elif sev:
        v = "suspicious"
    elif r.get("errors"):
        v = "error"
    elif r["summary"]["scanned"]["total_scanned"] == 0:
        v = "not-scanned"
    else:
        v = "safe"
    detail = sorted({f"{i.get('module')}.{i.get('operator')}:{i['severity']}" for i in r.get("issues", [])})
    detail += [str(e.get("description", e))[:120] for e in r.get("errors", [])][:2]
    return {"verdict": v, "detail": detail[:8]}


RANK = {"LIKELY_SAFE": 0, "POSSIBLY_UNSAFE": 1, "SUSPICIOUS": 2, "LIKELY_UNSAFE": 3, "LIKELY_OVERTLY_MALICIOUS": 4, "OVERTLY_MALICIOUS": 5}


def fickling_scan(path):
    import fickling
    try:
        if zipfile.is_zipfile(path):
            res = fickling.scan_zip_archive(path, graceful=True)
            sevs = [r.severity.name for r in res.values()]
            if not sevs:
                return {"verdict": "not-scanned", "detail": []}
        else:
            sevs = [fickling.scan_file(path, graceful=True).severity.name]
    except Exception as e:  # noqa: BLE001
        return {"verdict": "error", "detail": f"{type(e).__name__}: {e}"[:200]}
    worst = max(sevs, key=lambda s: RANK.get(s, 0))
    rank = RANK.get(worst, 0)
    v = "malicious" if rank >= 4 else "suspicious" if rank >= 1 else "safe"
    return {"verdict": v, "detail": [worst]}


def main():
    corpus, dest = sys.argv[1], sys.argv[2]
    manifest = json.load(open(os.path.join(corpus, "manifest.json")))
    out = {}
    for name in sorted(manifest):
        p = os.path.join(corpus, name)
        with contextlib.redirect_stdout(io.StringIO()):  # fickling prints warnings to stdout
            out[name] = {"category": manifest[name]["category"], "picklescan": picklescan(p), "modelscan": modelscan(p), "fickling": fickling_scan(p)}
    with open(dest, "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
