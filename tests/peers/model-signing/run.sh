#!/usr/bin/env bash
# Peer test: datagate's OpenSSF model-signing bundles against the reference implementation
# (`model-signing` from PyPI), in both directions, and on tampered model folders.
#
#   tests/peers/model-signing/run.sh
#
# Needs python3 (venv), openssl and cargo. Regenerates the committed fixtures under fixtures/:
#   model/                       a small model, signed by the peer (model/model.sig, P-256 key)
#   peer.pub                     the peer signer's public key
#   datagate-signed/             the same model, signed by datagate with a P-256 key
#   datagate-p256.pub            datagate signer's public key
#   model-p521/, peer-p521.pub   the same model signed by the peer with a P-521 key
#   results.json                 every verdict of both tools (the Rust tests assert datagate's
#                                verdicts equal the peer's recorded ones, with no Python)
# Exits non-zero if the two tools disagree anywhere.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
VENV=${VENV:-/tmp/peers-model-signing}
FIX=$HERE/fixtures
WORK=$(mktemp -d /tmp/datagate-oms-peer.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$VENV/bin/model_signing" ]; then
  python3 -m venv "$VENV"
  # model-signing imports OpenSSL without declaring it.
  "$VENV/bin/pip" install -q model-signing pyopenssl
fi
MS="$VENV/bin/model_signing"
PEER_VERSION=$("$VENV/bin/pip" show model-signing | awk '/^Version:/{print $2}')

[ -n "${DATAGATE:-}" ] || (cd "$ROOT" && cargo build -q -p datagate)
DG=${DATAGATE:-$ROOT/target/debug/datagate}

# 1. A small deterministic model.
rm -rf "$FIX" && mkdir -p "$FIX/model/tokenizer"
python3 - "$FIX/model" <<'PY'
import sys, pathlib
d = pathlib.Path(sys.argv[1])
(d / "config.json").write_text('{"architecture": "tiny-mlp", "hidden": 8, "layers": 2}\n')
(d / "weights.bin").write_bytes(bytes((i * 31 + 7) % 256 for i in range(4096)))
(d / "tokenizer" / "vocab.txt").write_text("".join(f"tok{i}\n" for i in range(50)))
(d / "README.md").write_text("# tiny model\nA fixture for signature tests.\n")
PY
cp -r "$FIX/model" "$FIX/datagate-signed"
cp -r "$FIX/model" "$FIX/model-p521"

# 2. Keys: the peer's P-256 key from openssl (PKCS#8), datagate's from `datagate keygen`.
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$WORK/peer.pem"
openssl pkey -in "$WORK/peer.pem" -pubout -out "$FIX/peer.pub"
# A P-521 key too (datagate verifies P-521 bundles; it does not create P-521 keys).
openssl ecparam -name secp521r1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$WORK/peer-p521.pem"
openssl pkey -in "$WORK/peer-p521.pem" -pubout -out "$FIX/peer-p521.pub"
"$DG" keygen --algo p256 --out "$WORK/dg" >/dev/null
cp "$WORK/dg.pub" "$FIX/datagate-p256.pub"

# 3. Sign: peer into model/model.sig, datagate into datagate-signed/model.sig.
"$MS" sign key --private_key "$WORK/peer.pem" --signature "$FIX/model/model.sig" "$FIX/model" >/dev/null
"$MS" sign key --private_key "$WORK/peer-p521.pem" --signature "$FIX/model-p521/model.sig" "$FIX/model-p521" >/dev/null
"$DG" model sign "$FIX/datagate-signed" --key "$WORK/dg" >/dev/null

# verdict TOOL MODEL_DIR SIG PUB -> "accepted" or "rejected"
verdict() {
  local tool=$1 model=$2 sig=$3 pub=$4
  if [ "$tool" = peer ]; then
    "$MS" verify key --public_key "$pub" --signature "$sig" "$model" >"$WORK/out" 2>&1 && echo accepted || echo rejected
  else
    "$DG" model verify "$model" --signature "$sig" --pub "$pub" >"$WORK/out" 2>&1 && echo accepted || echo rejected
  fi
}

# 4. Tampered copies of each signed model: modified, added, removed file.
tamper() {  # tamper KIND SRC DST
  rm -rf "$3" && cp -r "$2" "$3"
  case $1 in
    modified) printf 'X' | dd of="$3/weights.bin" bs=1 seek=100 conv=notrunc status=none ;;
    added) echo "extra" >"$3/tokenizer/merges.txt" ;;
    removed) rm "$3/README.md" ;;
  esac
}

results="{}"
add() { results=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r[sys.argv[2]]=sys.argv[3]; print(json.dumps(r))' "$results" "$1" "$2"); }

for signer in peer datagate peer-p521; do
  case $signer in
    peer) src="$FIX/model"; pub="$FIX/peer.pub"; other="$FIX/datagate-p256.pub" ;;
    datagate) src="$FIX/datagate-signed"; pub="$FIX/datagate-p256.pub"; other="$FIX/peer.pub" ;;
    peer-p521) src="$FIX/model-p521"; pub="$FIX/peer-p521.pub"; other="$FIX/peer.pub" ;;
  esac
  for tool in peer datagate; do
    add "$signer-signed/intact/$tool" "$(verdict $tool "$src" "$src/model.sig" "$pub")"
    # The other signer's key must be refused.
    add "$signer-signed/wrong-key/$tool" "$(verdict $tool "$src" "$src/model.sig" "$other")"
    for kind in modified added removed; do
      tamper $kind "$src" "$WORK/t"
      add "$signer-signed/$kind/$tool" "$(verdict $tool "$WORK/t" "$WORK/t/model.sig" "$pub")"
    done
  done
done

python3 - "$results" "$PEER_VERSION" "$FIX/results.json" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
doc = {"peer": "model-signing", "peer_version": sys.argv[2],
       "tamper": {"modified": "byte 100 of weights.bin set to 'X'",
                  "added": "new file tokenizer/merges.txt",
                  "removed": "README.md deleted"},
       "verdicts": dict(sorted(r.items()))}
open(sys.argv[3], "w").write(json.dumps(doc, indent=2) + "\n")
bad = []
for k, v in r.items():
    case = k.split("/")[1]
    want = "accepted" if case == "intact" else "rejected"
    if v != want:
        bad.append(f"{k}: {v}, expected {want}")
print(json.dumps(doc["verdicts"], indent=2))
if bad:
    print("DISAGREEMENT:\n  " + "\n  ".join(bad)); sys.exit(1)
print(f"model-signing {sys.argv[2]} and datagate agree on all {len(r)} verdicts")
PY
