#!/usr/bin/env bash
# Lints spec/openapi.json with Redocly CLI (pinned in .ci/openapi-lint/) and the
# committed configuration .ci/redocly.yaml: its `recommended` rules, stricter
# ones it names, and each rule it turns off with the reason. Any finding fails.
# The linter is installed once per pin into $CONTRACT_TOOLS_DIR (the contract
# tools' cache, ~/.cache/api-contract-tools by default) with `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

pins=.ci/openapi-lint
hash="$(cat "$pins/package.json" "$pins/package-lock.json" | sha256sum | cut -c1-16)"
dir="${CONTRACT_TOOLS_DIR:-$HOME/.cache/api-contract-tools}/redocly-$hash"
if [ ! -e "$dir/.installed" ]; then
  echo "installing the pinned OpenAPI linter into $dir"
  mkdir -p "$dir"
  cp "$pins/package.json" "$pins/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  touch "$dir/.installed"
fi
# No usage reports leave the machine.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
"$dir/node_modules/.bin/redocly" lint spec/openapi.json --config .ci/redocly.yaml --format stylish --max-problems 1000
