#!/usr/bin/env bash
# Throwaway PostgreSQL 15, Redis and s3rver for the scale-out tests, on free loopback ports.
#
#   scripts/services.sh start   # starts all three, writes $LINGO_SERVICES_DIR/env (sourceable)
#   scripts/services.sh stop    # stops them and removes their data
#   scripts/services.sh env     # prints the env file
#   scripts/services.sh install # apt/npm packages they need (and Chromium for test/browser/), where missing
#
# Nothing listens outside 127.0.0.1. Durability is off (fsync=off, no Redis persistence): these
# hold test data only. The test suites read LINGO_TEST_POSTGRES_URL, LINGO_TEST_REDIS_URL and
# LINGO_TEST_S3_ENDPOINT; each test makes its own schema, key prefix or bucket inside them.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${LINGO_SERVICES_DIR:-$PWD/.tmp/services}"
pgbin="${LINGO_PG_BIN:-/usr/lib/postgresql/15/bin}"

# From / : the postgres user may not be allowed into the checkout.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_for() { # wait_for DESCRIPTION COMMAND...: retries for up to 20 s
  local what=$1
  shift
  for _ in $(seq 1 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "services: $what did not come up" >&2
  return 1
}

install() {
  local missing=()
  [ -x "$pgbin/initdb" ] || missing+=(postgresql-15)
  command -v redis-server >/dev/null || missing+=(redis-server)
  # The console's browser tests (test/browser/) drive Debian's Chromium through playwright-core.
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # A package install may start the distribution's own servers; the tests use their own.
  (service redis-server stop || true) >/dev/null 2>&1
  (service postgresql stop || true) >/dev/null 2>&1
  [ -x node_modules/.bin/s3rver ] || { echo "services: s3rver missing: run npm ci first" >&2; return 1; }
}

start() {
  if [ -f "$dir/env" ]; then
    echo "services: already running (see $dir/env); '$0 stop' first" >&2
    return 1
  fi
  mkdir -p "$dir"
  local pgport redisport s3port
  pgport=$(free_port)
  redisport=$(free_port)
  s3port=$(free_port)

  # PostgreSQL: initdb and the server refuse to run as root, so they run as the postgres user, in
  # a directory of their own under /tmp (the checkout may sit where that user cannot enter).
  local pg
  pg=$(mktemp -d /tmp/lingo-pg.XXXXXX)
  echo "$pg" >"$dir/pg.dir"
  chown postgres:postgres "$pg"
  as_postgres "$pgbin/initdb" -D "$pg/data" -U lingo --auth=trust -E UTF8 --no-sync >"$pg/initdb.log"
  as_postgres "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w start \
    -o "-p $pgport -k $pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB -c max_connections=200" >/dev/null
  as_postgres "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U lingo -d postgres -qc 'CREATE DATABASE lingo' >/dev/null

  # Redis: no persistence; its own pid file so that stop kills exactly this one.
  redis-server --port "$redisport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  wait_for redis redis-cli -p "$redisport" ping

  # s3rver: any bucket a test creates; credentials S3RVER / S3RVER.
  mkdir -p "$dir/s3"
  nohup node_modules/.bin/s3rver --directory "$dir/s3" --address 127.0.0.1 --port "$s3port" --silent >"$dir/s3rver.log" 2>&1 &
  echo $! >"$dir/s3rver.pid"
  wait_for s3rver node -e "require('http').get('http://127.0.0.1:$s3port/',r=>process.exit(r.statusCode<500?0:1)).on('error',()=>process.exit(1))"

  cat >"$dir/env" <<EOF
export LINGO_TEST_POSTGRES_URL=postgres://lingo@127.0.0.1:$pgport/lingo
export LINGO_TEST_REDIS_URL=redis://127.0.0.1:$redisport
export LINGO_TEST_S3_ENDPOINT=http://127.0.0.1:$s3port
export AWS_ACCESS_KEY_ID=S3RVER
export AWS_SECRET_ACCESS_KEY=S3RVER
export AWS_REGION=us-east-1
EOF
  echo "services: PostgreSQL :$pgport, Redis :$redisport, s3rver :$s3port ($dir/env)"
}

stop() {
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pg.dir" ]; then
    local pg
    pg=$(cat "$dir/pg.dir")
    if [ -f "$pg/data/postmaster.pid" ]; then
      as_postgres "$pgbin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg"
  fi
  for pidfile in "$dir/redis.pid" "$dir/s3rver.pid"; do
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  rm -rf "$dir"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) cat "$dir/env" ;;
  *)
    echo "usage: $0 install|start|stop|env" >&2
    exit 2
    ;;
esac
