#!/usr/bin/env bash
# Starts local PostgreSQL and Redis when they are not answering (installing
# them from Debian's packages on a machine that lacks them).
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! command -v pg_ctlcluster >/dev/null || ! command -v redis-server >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null
fi
if ! pg_up; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! redis_up; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 30); do
  if pg_up && redis_up; then break; fi
  sleep 1
done
pg_up || { echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }
redis_up || { echo "Redis is not answering on 127.0.0.1:6379"; exit 1; }
# Tests connect as `postgres` over TCP with trust auth, as on these machines.
psql -h 127.0.0.1 -U postgres -qtAc 'select 1' >/dev/null
