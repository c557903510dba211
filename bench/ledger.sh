#!/usr/bin/env bash
# Ledger benchmark: appends per second in batches, inclusion/consistency proof latency among
# N entries (default 1,000,000), full `log verify` throughput; next to a plain SQLite insert of
# rows of the same size (Python's sqlite3, no hashing or signing) as the storage reference.
#
#   bash bench/ledger.sh [ENTRIES] [BATCH]
#
# Targets (issue 3): >= 20,000 appended entries/s in batches; an inclusion proof for one entry
# among 1,000,000 in < 10 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
BATCH="${2:-1000}"
WORK="$(mktemp -d /tmp/dg-ledger-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

cargo build --release -q -p datagate-ledger --example ledger_bench
echo "== datagate ledger: $N entries in batches of $BATCH (SQLite WAL, synchronous=FULL, one signed head per batch)"
./target/release/examples/ledger_bench "$N" "$BATCH" "$WORK/project" | tee "$WORK/dg.json"

echo "== reference: plain SQLite inserts of the same rows (python3 sqlite3, WAL, synchronous=FULL, no Merkle tree, no signatures)"
python3 - "$N" "$BATCH" "$WORK/plain.db" <<'PY' | tee "$WORK/plain.json"
import json, sqlite3, sys, time
n, batch, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
c = sqlite3.connect(path, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL")
c.execute("CREATE TABLE entries (seq INTEGER PRIMARY KEY, entry BLOB NOT NULL)")
t = time.perf_counter()
i = 0
while i < n:
    k = min(batch, n - i)
    rows = []
    for j in range(i, i + k):
        e = {"action": "ingest", "actor": "bench", "details": {"rows": j % 1000, "source": "bench"},
             "seq": j, "subject": {"digest": {"sha256": format(j, "064x")}, "name": f"data/part-{j:08}.parquet"},
             "time": "2026-01-01T00:00:00.000000Z"}
        rows.append((j, json.dumps(e, separators=(",", ":"), sort_keys=True).encode()))
    c.execute("BEGIN IMMEDIATE"); c.executemany("INSERT INTO entries VALUES (?, ?)", rows); c.execute("COMMIT")
    i += k
s = time.perf_counter() - t
print(json.dumps({"entries": n, "batch": batch, "append_seconds": s, "appends_per_second": n / s}))
PY

python3 - "$WORK/dg.json" "$WORK/plain.json" <<'PY'
import json, sys
dg, plain = (json.load(open(p)) for p in sys.argv[1:3])
print()
print(f"datagate appends/s      {dg['appends_per_second']:>12,.0f}   (target >= 20,000)")
print(f"plain SQLite appends/s  {plain['appends_per_second']:>12,.0f}")
print(f"ratio datagate/plain    {dg['appends_per_second'] / plain['appends_per_second']:>12.2f}")
print(f"inclusion proof p50/p99 {dg['inclusion_proof_ms_p50']:.3f} / {dg['inclusion_proof_ms_p99']:.3f} ms among {dg['entries']:,} (target < 10 ms)")
print(f"prove+verify worst      {dg['inclusion_prove_and_verify_ms_max']:.3f} ms")
print(f"consistency p50         {dg['consistency_prove_and_verify_ms_p50']:.3f} ms")
print(f"full verify             {dg['verify_seconds']:.1f} s ({dg['verify_entries_per_second']:,.0f} entries/s)")
PY
