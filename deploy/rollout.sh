#!/usr/bin/env bash
# Zero-downtime rollout of the compose stack to the image in API_IMAGE:
# migrations first (with the new image; they must stay compatible with the
# replicas still running the old one), then the api replicas one at a time:
# stop (SIGTERM: the replica refuses new connections, which nginx retries on
# another replica for any method, and finishes its in-flight requests), start
# on the new image, wait until Docker reports it healthy and nginx's DNS cache
# (2 s) has seen it, then the next. Two replicas serve throughout.
#
# Usage: API_IMAGE=registry/five-apps/api:<sha> deploy/rollout.sh
# Environment: COMPOSE (default `docker compose`), HEALTH_TIMEOUT (seconds per
# replica, default 120), and whatever docker-compose.yml reads from `.env`.
# A first deployment (nothing running yet) works the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${API_IMAGE:?set API_IMAGE to the image to roll out}"
export API_IMAGE
read -r -a compose <<<"${COMPOSE:-docker compose}"
health_timeout="${HEALTH_TIMEOUT:-120}"
docker_bin="${DOCKER:-docker}"

log() { printf '%s rollout: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

wait_healthy() { # wait_healthy SERVICE
  local id status
  id="$("${compose[@]}" ps -q "$1")"
  for _ in $(seq 1 "$health_timeout"); do
    status="$("$docker_bin" inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo missing)"
    [ "$status" = healthy ] && return 0
    sleep 1
  done
  log "$1 is not healthy after ${health_timeout}s (last status: $status); stopping the rollout"
  "${compose[@]}" logs --tail 50 "$1" >&2 || true
  return 1
}

log "image $API_IMAGE"
"${compose[@]}" up -d --wait postgres redis
log "migrations"
"${compose[@]}" run --rm --no-deps migrate

mapfile -t replicas < <("${compose[@]}" config --services | grep -E '^api-[0-9]+$' | sort)
for svc in "${replicas[@]}"; do
  log "$svc: stopping (in-flight requests finish)"
  "${compose[@]}" stop "$svc" >/dev/null 2>&1 || true
  log "$svc: starting on the new image"
  "${compose[@]}" up -d --no-deps --force-recreate "$svc"
  wait_healthy "$svc"
  # nginx caches the alias `api` for 2 s: let it see this replica again
  # before the next one goes away.
  sleep 3
  log "$svc: healthy"
done

# nginx only needs starting the first time (its configuration is a mount).
"${compose[@]}" up -d --no-deps nginx
log "done: ${replicas[*]} on $API_IMAGE"
