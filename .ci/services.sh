#!/usr/bin/env bash
# Makes a Debian machine ready for `cargo run`, `cargo test --workspace` and
# `bash .ci/run`: installs from Debian's packages whatever is missing (the
# build's libraries, PostgreSQL and Redis, Node.js with npm, Python with venv,
# nginx, curl), starts PostgreSQL and Redis when they are not answering, and
# lets `postgres` connect over TCP from loopback without a password (trust),
# as the tests and `cargo run` do. `cargo xtask doctor` lists what is missing.
#
# Installing needs root (apt-get); without root it says which packages to
# install and stops. A machine where everything is present and answering is
# left untouched (nothing is reconfigured or restarted).
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
pg_login() { psql -h 127.0.0.1 -U postgres -w -qtAc 'select 1' >/dev/null 2>&1; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
is_root() { [ "$(id -u)" = 0 ]; }

# Debian package -> how to tell it is present.
missing=()
need() { # need <package> <test command...>
  local package="$1"; shift
  "$@" >/dev/null 2>&1 || missing+=("$package")
}
need libpq-dev sh -c 'ldconfig -p | grep -q "libpq.so "'
need build-essential command -v make
need pkg-config command -v pkg-config
need libssl-dev pkg-config --exists openssl
need postgresql sh -c 'ls /usr/lib/postgresql/*/bin/initdb'
need postgresql-client command -v psql
need redis-server command -v redis-server
need nodejs command -v node
need npm command -v npm
need python3 command -v python3
need python3-venv python3 -c 'import ensurepip, venv'
need python3-pip python3 -m pip --version
need nginx-light sh -c 'command -v nginx || test -x /usr/sbin/nginx'
need curl command -v curl
need git command -v git

if [ "${#missing[@]}" -gt 0 ]; then
  if ! is_root; then
    echo "services.sh: missing Debian packages: ${missing[*]}" >&2
    echo "installing them needs root: run \`sudo bash .ci/services.sh\`, or \`sudo apt-get install -y ${missing[*]}\`" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
if ! pg_up; then
  if [ -z "$version" ]; then
    echo "services.sh: PostgreSQL is installed but has no cluster in /etc/postgresql; run \`pg_createcluster <version> main\` (as root)" >&2
    exit 1
  fi
  is_root || { echo "services.sh: PostgreSQL is not answering on 127.0.0.1:5432; starting it needs root: \`sudo bash .ci/services.sh\`" >&2; exit 1; }
  echo "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
if ! redis_up; then
  is_root || { echo "services.sh: Redis is not answering on 127.0.0.1:6379; starting it needs root: \`sudo bash .ci/services.sh\`" >&2; exit 1; }
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 30); do
  if pg_up && redis_up; then break; fi
  sleep 1
done
pg_up || { echo "services.sh: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
redis_up || { echo "services.sh: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }

# Debian's own pg_hba.conf asks TCP clients for a password (scram-sha-256).
# The tests and `cargo run` connect as `postgres` over loopback without one:
# put trust lines for exactly that first, once, and reload.
if ! pg_login; then
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! is_root || [ ! -f "$hba" ]; then
    echo "services.sh: \`psql -h 127.0.0.1 -U postgres\` asks for a password; add to the top of $hba:" >&2
    echo "  host all postgres 127.0.0.1/32 trust" >&2
    echo "  host all postgres ::1/128 trust" >&2
    echo "then reload PostgreSQL (as root: \`sudo bash .ci/services.sh\` does it)" >&2
    exit 1
  fi
  echo "letting postgres connect from loopback without a password ($hba)"
  marker="# added by .ci/services.sh: tests and cargo run connect as postgres from loopback"
  if ! grep -qF "$marker" "$hba"; then
    { echo "$marker"
      echo "host all postgres 127.0.0.1/32 trust"
      echo "host all postgres ::1/128 trust"
      cat "$hba"; } >"$hba.new"
    chown --reference="$hba" "$hba.new" && chmod --reference="$hba" "$hba.new"
    mv "$hba.new" "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  for _ in $(seq 1 10); do pg_login && break; sleep 1; done
fi
pg_login || { echo "services.sh: \`psql -h 127.0.0.1 -U postgres\` still fails; see $hba" >&2; exit 1; }
echo "ready: PostgreSQL on 127.0.0.1:5432 (postgres, trust) and Redis on 127.0.0.1:6379"
