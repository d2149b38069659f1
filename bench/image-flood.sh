#!/usr/bin/env bash
# Peak RSS of one server under a flood of /ar image uploads (issue #14, item 5).
#
#   bash bench/image-flood.sh [CONCURRENCY] [ROUNDS]      (defaults 95 and 3)
#
# Builds the debug server (or runs API_BIN), starts it on a fresh database on
# TEST_PG and on TEST_REDIS with its own key prefix, uploads a progressive
# 4000x4000 JPEG (made by `cargo xtask jpeg`: a small file, 16 MP to
# decode) CONCURRENCY at a time, ROUNDS times, and prints the answers by status
# and the server's RSS before and its peak (VmHWM) after. IMAGE_MEMORY_BUDGET_BYTES
# is passed through (default: the server's, 256 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
CONCURRENCY=${1:-95}
ROUNDS=${2:-3}
PG=${TEST_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${TEST_REDIS:-redis://127.0.0.1:6379}
TARGET=${CARGO_TARGET_DIR:-target}
if [ -z "${API_BIN:-}" ]; then
    cargo build -q -p api
    API_BIN=$TARGET/debug/api
fi
WORK=$(mktemp -d)
DB=api_image_flood_$$
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
cleanup() {
    [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

env -i PATH="$PATH" DATABASE_URL="$PG/$DB" REDIS_URL="$REDIS" REDIS_KEY_PREFIX="image-flood:$$:" \
    BIND_ADDR=127.0.0.1:$PORT RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn LOG_FORMAT=json \
    ${IMAGE_MEMORY_BUDGET_BYTES:+IMAGE_MEMORY_BUDGET_BYTES=$IMAGE_MEMORY_BUDGET_BYTES} \
    "$API_BIN" serve >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 300); do curl -fs "$BASE/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$BASE/ready" >/dev/null

creds='{"login":"flood","password":"correct horse"}'
curl -fs -H 'content-type: application/json' -d "$creds" "$BASE/ar/api/user" >/dev/null
TOKEN=$(curl -fs -H 'content-type: application/json' -d "$creds" "$BASE/ar/api/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
PROJECT=$(curl -fs -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d '{"name":"flood"}' "$BASE/ar/api/project" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

cargo xtask jpeg 4000 4000 "$WORK/big.jpg"
python3 - "$WORK/big.jpg" "$WORK/body.json" <<'PY'
import base64, json, sys
data = open(sys.argv[1], "rb").read()
json.dump({"image": base64.b64encode(data).decode(), "description": "flood"}, open(sys.argv[2], "w"))
PY

rss() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$PID/status"; }
echo "RSS before the flood: $(rss VmRSS) MiB"
upload() {
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 -H 'content-type: application/json' \
        -H "authorization: Bearer $TOKEN" --data-binary "@$WORK/body.json" "$BASE/ar/api/project/$PROJECT/imagetarget"
}
export -f upload
export WORK TOKEN BASE PROJECT
START=$(date +%s)
seq $((CONCURRENCY * ROUNDS)) | xargs -P "$CONCURRENCY" -I{} bash -c upload >"$WORK/statuses"
echo "$((CONCURRENCY * ROUNDS)) uploads, $CONCURRENCY at a time, in $(($(date +%s) - START)) s; answers by status:"
sort "$WORK/statuses" | uniq -c
echo "peak RSS (VmHWM): $(rss VmHWM) MiB; RSS now: $(rss VmRSS) MiB"
