#!/usr/bin/env bash
# Peer test: datagate's OpenLineage run events against the official Python client
# (`openlineage-python` from PyPI) and, when the spec is at hand, the official JSON schemas.
#
#   tests/peers/openlineage/run.sh                      # client models only
#   OPENLINEAGE_SPEC=/path/to/OpenLineage/spec tests/peers/openlineage/run.sh   # + JSON schemas
#
# example.jsonl is the export of a fixed sample ledger (ingest, review, promote, link, erasure),
# written by `DATAGATE_BLESS=1 cargo test -p datagate-lineage the_committed_example_is_current`;
# that Rust test fails whenever the export changes without the file being regenerated, so the
# file checked here is always what datagate writes. OPENLINEAGE_SPEC is the `spec/` folder of a
# checkout of the OpenLineage repository (OpenLineage.json and facets/*.json); datagate's own
# facet schemas come from crates/lineage/spec/. Exits non-zero on any failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
VENV=${VENV:-/tmp/peers-openlineage}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import openlineage.client, jsonschema' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q openlineage-python jsonschema
fi
echo "openlineage-python $("$VENV/bin/pip" show openlineage-python | awk '/^Version:/{print $2}')"
(cd "$ROOT" && cargo test -q -p datagate-lineage the_committed_example_is_current)
SPEC_ARGS=()
if [ -n "${OPENLINEAGE_SPEC:-}" ]; then
  SPEC_ARGS=(--spec "$OPENLINEAGE_SPEC")
  echo "JSON schemas from $OPENLINEAGE_SPEC"
fi
"$VENV/bin/python" "$HERE/validate.py" "$HERE/example.jsonl" "${SPEC_ARGS[@]}"
