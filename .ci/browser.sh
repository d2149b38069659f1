#!/usr/bin/env bash
# End-to-end tests of the /admin panel in headless Chromium (Debian's package,
# driven by playwright-core from tests/browser). Builds the debug `api`
# binary, starts it on a free loopback port against a fresh database with an
# admin from ADMIN_LOGIN/ADMIN_PASSWORD, runs `node --test`, stops the server.
# Services: TEST_PG (a PostgreSQL server URL without a database) and TEST_REDIS.
# Screenshots of every page go to target/admin-screenshots/ of the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/api-target}"

if ! command -v chromium >/dev/null; then
  echo "installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
cargo build -p api --locked --quiet

port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
db="api_browser_$(date +%s)_$$"
pg="${TEST_PG:-postgres://postgres@127.0.0.1:5432}"
export DATABASE_URL="$pg/$db"
export REDIS_URL="${TEST_REDIS:-redis://127.0.0.1:6379}"
export BIND_ADDR="127.0.0.1:$port" PUBLIC_URL="http://127.0.0.1:$port"
export REDIS_KEY_PREFIX="browser:$db:" RATE_LIMIT_PER_MINUTE=0 LOG_FORMAT=json
export JWT_SECRET="browser-test-secret-browser-test-secret"
export ADMIN_LOGIN="operator" ADMIN_PASSWORD="operator password 1"
export PAYMENT_PRIVATE_KEY="browser-payment-key"
export ADMIN_BASE_URL="http://127.0.0.1:$port"
export SCREENSHOTS="$PWD/target/admin-screenshots"
log="$(mktemp)"

"$CARGO_TARGET_DIR/debug/api" serve >"$log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fsS "$ADMIN_BASE_URL/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "the server did not start"; exit 1; }
  sleep 0.5
done

status=0
node --test tests/browser/admin.test.mjs || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log"; tail -n 50 "$log"; fi
echo "screenshots: $SCREENSHOTS"
exit "$status"
