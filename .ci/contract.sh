#!/usr/bin/env bash
# The contract step of CI: starts the debug server on a free loopback port
# against a fresh database, then checks it from the outside with what a client
# of the API uses: the Postman collection (newman, run twice), schemathesis
# (every phase, stateful links included, one token per app), and the three SDK
# packages built as their ecosystems build them (npm pack, python -m build,
# cargo package), each installed into a clean environment and smoke-tested.
# Stops the server and drops the database at the end. Bounded:
# SCHEMATHESIS_MAX_EXAMPLES per operation. Services: TEST_PG (a PostgreSQL
# server URL without a database name) and TEST_REDIS, as everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/api-target}"
pg="${TEST_PG:-postgres://postgres@127.0.0.1:5432}"
redis="${TEST_REDIS:-redis://127.0.0.1:6379}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
seed="${SCHEMATHESIS_SEED:-20261122}"
# These match the variables of clients/postman/stories/shop.json, so the
# collection runs as it is imported (the webhook's key, the admin's login).
payment_key="contract-payment-key"
admin_login="contract-admin"
admin_password="contract-admin-password"

cargo build -p api --locked --quiet
eval "$(cargo xtask tools)" # NODE_TOOLS, PY_TOOLS: the pinned tools, installed once
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
db="contract_$(date +%s)_$$"
base="http://127.0.0.1:$port"

server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

DATABASE_URL="$pg/$db" REDIS_URL="$redis" BIND_ADDR="127.0.0.1:$port" PUBLIC_URL="$base" \
  RATE_LIMIT_PER_MINUTE=0 PAYMENT_PRIVATE_KEY="$payment_key" REDIS_KEY_PREFIX="contract:$db:" \
  ADMIN_LOGIN="$admin_login" ADMIN_PASSWORD="$admin_password" \
  JWT_SECRET="contract-ci-secret-contract-ci-secret-0123" LOG_FORMAT=json RUST_LOG=warn \
  "$CARGO_TARGET_DIR/debug/api" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  curl -sf "$base/ready" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 1
done
curl -sf "$base/ready" >/dev/null || { echo "the server is not ready"; cat "$work/server.log"; exit 1; }
echo "server on $base (database $db)"

passed=0
failed=0
check() { # check NAME COMMAND...: runs one check, counts it
  local name="$1"
  shift
  echo
  echo "-- $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

newman() {
  "$NODE_TOOLS/node_modules/.bin/newman" run clients/postman/collection.json -n 2 --color off \
    --env-var "baseUrl=$base" --env-var "paymentKey=$payment_key" \
    --env-var "shopAdminLogin=$admin_login" --env-var "shopAdminPassword=$admin_password"
}

# One schemathesis run per tag, with the token of that app's story when it has
# one, and its `operation_tokens` for their paths (an `[[operations]]` block
# added to clients/tools/schemathesis.toml); the stateful phase runs where the
# tag's operations declare links (it refuses to run without any). Logout is
# left out: it would revoke the token.
schemathesis() {
  local tag="$1" phases="$2" token="${3:-}" log="$work/st-$1.log" config="$work/st-$1.toml"
  local auth=()
  [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
  cp clients/tools/schemathesis.toml "$config"
  awk -v app="$tag" '$1 == app && NF == 3 { printf "\n[[operations]]\ninclude-path-regex = \"%s\"\nheaders = { Authorization = \"Bearer %s\" }\n", $3, $2 }' \
    "$work/tokens" >>"$config"
  # From the scratch folder: schemathesis keeps its caches in the current one.
  # Without the optional Idempotency-Key header (.ci/schemathesis_hooks.py says why).
  (cd "$work" && SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$root/.ci" \
    timeout 600 "$PY_TOOLS/bin/schemathesis" --config-file "$config" run "$base/openapi.json" --include-tag "$tag" \
    "${auth[@]}" --exclude-path-regex '/logout/?$' --phases "$phases" --checks all \
    --max-examples "$max_examples" --seed "$seed" --no-color </dev/null >"$log" 2>&1)
  local status=$?
  sed -n '/=== SUMMARY ===/,$p' "$log"
  [ "$status" -eq 0 ] || cat "$log"
  return "$status"
}

# The SDK packages, built as each ecosystem builds them, into $work/dist; each
# file is named by the document's info.version, or the next step finds nothing.
dist="$work/dist"
version="$(python3 -c 'import json; print(json.load(open("spec/openapi.json"))["info"]["version"])')"
tarball="$dist/five-apps-client-$version.tgz"
wheel="$dist/five_apps_client-$version-py3-none-any.whl"
crate="$dist/api-client-$version.crate"
packages() {
  mkdir -p "$dist" &&
    (cd clients/typescript && npm pack --silent --pack-destination "$dist" >/dev/null) &&
    cp -r clients/python "$work/python-src" &&
    { "$PY_TOOLS/bin/python" -m build --wheel --outdir "$dist" "$work/python-src" >"$work/python-build.log" 2>&1 ||
      { cat "$work/python-build.log"; false; }; } &&
    cargo package -p api-client --locked --quiet &&
    cp "$CARGO_TARGET_DIR/package/api-client-$version.crate" "$dist/" &&
    ls -l "$tarball" "$wheel" "$crate"
}

ts_smoke() {
  mkdir -p "$work/ts" && cd "$work/ts"
  echo '{"private": true, "type": "module"}' >package.json
  cp "$root/clients/smoke/smoke.ts" "$root/clients/smoke/tsconfig.json" .
  npm install --no-audit --no-fund --loglevel=error "$tarball" &&
    "$NODE_TOOLS/node_modules/.bin/tsc" -p tsconfig.json --typeRoots "$NODE_TOOLS/node_modules/@types" &&
    "$NODE_TOOLS/node_modules/.bin/tsx" smoke.ts "$base" "$root/clients/postman/stories"
  local status=$?
  cd "$root"
  return "$status"
}

py_smoke() {
  python3 -m venv "$work/py-venv" &&
    "$work/py-venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" &&
    "$work/py-venv/bin/pip" check --disable-pip-version-check >/dev/null &&
    "$work/py-venv/bin/python" clients/smoke/smoke.py "$base" clients/postman/stories
}

# The .crate unpacked outside the repository, used by path from a crate of its own
# (the workspace's lock file keeps the versions, and the build reuses its target).
rust_smoke() {
  mkdir -p "$work/rust" && tar -xzf "$crate" -C "$work/rust" &&
    cp -r clients/smoke/rust "$work/rust/smoke" && cp Cargo.lock "$work/rust/smoke/" &&
    echo "api-client = { path = \"$work/rust/api-client-$version\" }" >>"$work/rust/smoke/Cargo.toml" &&
    cargo run --quiet --manifest-path "$work/rust/smoke/Cargo.toml" -- "$base"
}

check "newman: the Postman collection, twice" newman
python3 clients/tools/app_tokens.py "$base" >"$work/tokens"
curl -sf "$base/openapi.json" | python3 -c '
import json, sys
spec = json.load(sys.stdin)
ops = [op for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)]
for tag in spec["tags"]:
    linked = any(tag["name"] in op.get("tags", []) and any("links" in r for r in op["responses"].values()) for op in ops)
    print(tag["name"], "examples,coverage,fuzzing" + (",stateful" if linked else ""))
' >"$work/tags"
while read -r tag phases; do
  token="$(awk -v app="$tag" '$1 == app && NF == 2 { print $2 }' "$work/tokens")"
  check "schemathesis: $tag ($phases${token:+, with a $tag token})" schemathesis "$tag" "$phases" "$token"
done <"$work/tags"
cases=$(cat "$work"/st-*.log | awk '$2 == "generated," { n += $1 } END { print n + 0 }')
echo "schemathesis: $cases test cases in all"
check "SDK packages: npm pack, python -m build, cargo package" packages
check "TypeScript SDK smoke test (the npm tarball in a clean folder)" ts_smoke
check "Python SDK smoke test (the wheel in a clean venv)" py_smoke
check "Rust SDK smoke test (the packaged crate, unpacked)" rust_smoke

echo
echo "contract: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
