"""Record Apache DataSketches (PyPI `datasketches`, C++ core) HLL and KLL results for
values whose hashing datagate must reproduce, so crates/profile can check that its
sketches are byte-compatible with the other DataSketches libraries.

Run:  bash tests/peers/datasketches/run.sh
"""
import base64
import json
import sys

import datasketches as ds

cases = []
def hll(name, values):
    sk = ds.hll_sketch(12, ds.HLL_8)
    for v in values:
        sk.update(v)
    cases.append({"name": name, "values": values, "estimate": sk.get_estimate(),
                  "compact": base64.b64encode(sk.serialize_compact()).decode()})

hll("strings", ["apple", "banana", "cherry", "date", "elderberry", "fig", "grape", "ünïcødé"])
hll("ints", list(range(-50, 50)))
hll("floats", [0.5, 1.25, -3.75, 1e10, 2.0, 0.0])
hll("many_strings", [f"user{i}@example.org" for i in range(5000)])

kll = ds.kll_doubles_sketch(400)
vals = [float((i * 7919) % 1000) / 10 for i in range(300)]
for v in vals:
    kll.update(v)
out = {
    "generator": "tests/peers/datasketches/gen_fixtures.py",
    "datasketches": ds.__version__ if hasattr(ds, "__version__") else "unknown",
    "hll_lg_k": 12,
    "hll": cases,
    "kll_k": 400,
    "kll_values": vals,
    "kll_compact": base64.b64encode(kll.serialize()).decode(),
    "kll_median_inclusive": kll.get_quantile(0.5, inclusive=True),
}
json.dump(out, open(sys.argv[1], "w"), indent=1)
