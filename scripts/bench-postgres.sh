#!/usr/bin/env bash
# A private PostgreSQL 15 + PostGIS 3 cluster for the peer benchmark
# (bench/peers/postgis/): created, started and stopped by the benchmark, never
# the system's own cluster.
#
#   scripts/bench-postgres.sh start  DIR [PORT]   # initdb if needed, start, print the DSN
#   scripts/bench-postgres.sh stop   DIR          # fast shutdown, waits for it
#   scripts/bench-postgres.sh status DIR          # exit 0 and the DSN when running
#
# DIR holds the cluster (DIR/data), its log (DIR/server.log) and its port
# (DIR/port). The server listens on 127.0.0.1 only (TCP, as a client on
# another process would talk to it) at PORT or a free port, and on a Unix
# socket in DIR. We run as root, so the cluster belongs to the `postgres`
# system user (Debian's postgresql package creates it) and the commands run
# as that user; authentication is `trust` on loopback (a throwaway cluster).
#
# Settings, chosen for a read-mostly benchmark on a 2-core machine
# (postgresql.conf, appended below):
#   shared_buffers=1GB            the 1M-artist tables and indexes fit in it
#   effective_cache_size=4GB      the page cache holds the rest
#   work_mem=64MB                 facet GROUP BYs and sorts stay in memory
#   maintenance_work_mem=512MB    faster GiST/GIN index builds
#   random_page_cost=1.1          data is cached; random reads are cheap
#   max_parallel_workers_per_gather=0
#                                 latency is measured single-threaded, as for
#                                 every other system (no second core per query)
#   jit=off                       the queries are short (JIT compilation costs
#                                 more than the queries it would speed up)
#   synchronous_commit=off        commits do not wait for the WAL flush
#   fsync=off, full_page_writes=off
#                                 BENCHMARK ONLY: a crash can corrupt the
#                                 cluster; acceptable because it is rebuilt from
#                                 the synthetic data. Affects loading only;
#                                 queries never write.
#   wal_level=minimal, max_wal_senders=0
#                                 COPY into a table created in the same
#                                 transaction skips the WAL
#   max_wal_size=4GB              no checkpoints in the middle of a load
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB_NAME=inkdex
DB_USER=postgres

usage() {
  echo "usage: $0 start|stop|status DIR [PORT]" >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
cmd=$1
dir=$2
port_arg=${3:-}

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

dsn() {
  echo "host=127.0.0.1 port=$(cat "$dir/port") dbname=$DB_NAME user=$DB_USER"
}

running() {
  [[ -d $dir/data ]] && as_postgres "$PG_BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

case $cmd in
  start)
    if [[ ! -x $PG_BIN/initdb ]]; then
      echo "error: $PG_BIN/initdb not found; run scripts/install-deps.sh --bench" >&2
      exit 1
    fi
    if [[ -n $port_arg && ! $port_arg =~ ^[0-9]+$ ]]; then
      echo "error: PORT must be a number, got '$port_arg'" >&2
      exit 2
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if running; then
      echo "error: a cluster is already running in $dir ($(dsn))" >&2
      exit 1
    fi
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres: "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        echo "error: the postgres user cannot reach $dir (a parent directory is not" \
          "searchable by others); choose another DIR or chmod o+x its parents" >&2
        exit 1
      fi
    fi
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      rm -rf "$dir/data"
      # C locale: text sorts by bytes, as inkdex breaks ties by artist id.
      as_postgres "$PG_BIN/initdb" -D "$dir/data" -U "$DB_USER" --auth=trust \
        --locale=C --encoding=UTF8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
      }
      cat >>"$dir/data/postgresql.conf" <<'EOF'

# scripts/bench-postgres.sh: benchmark settings (the script's header says why)
listen_addresses = '127.0.0.1'
shared_buffers = 1GB
effective_cache_size = 4GB
work_mem = 64MB
maintenance_work_mem = 512MB
random_page_cost = 1.1
max_parallel_workers_per_gather = 0
jit = off
synchronous_commit = off
fsync = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 4GB
EOF
    fi
    port=${port_arg:-$(free_port)}
    echo "$port" >"$dir/port"
    as_postgres "$PG_BIN/pg_ctl" start -D "$dir/data" -w -t 60 -l "$dir/server.log" \
      -o "-p $port -k $dir" >/dev/null || {
      tail -20 "$dir/server.log" >&2
      exit 1
    }
    export PGOPTIONS='-c client_min_messages=warning'  # no "already exists" notices
    psql_cmd=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$DB_USER")
    if [[ -z $("${psql_cmd[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
      "${psql_cmd[@]}" -d postgres -c "CREATE DATABASE $DB_NAME"
    fi
    "${psql_cmd[@]}" -d "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS postgis"
    dsn
    ;;
  stop)
    if running; then
      as_postgres "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null
    fi
    ;;
  status)
    if running; then
      dsn
    else
      echo "not running" >&2
      exit 3
    fi
    ;;
  *)
    usage
    ;;
esac
