#!/usr/bin/env bash
# Starts (or stops) a private PostgreSQL server for the tests: its own data folder, port and
# socket, trust auth on loopback only. PostgreSQL refuses to run as root, so as root the server
# runs as the `postgres` user.
#   scripts/pg.sh start DIR PORT   -> prints the SQLAlchemy URL
#   scripts/pg.sh replica PRIMARY_DIR REPLICA_DIR PORT
#                                   -> a streaming replica of the running primary in PRIMARY_DIR
#                                      (pg_basebackup -R), prints its URL
#   scripts/pg.sh stop DIR
# Every server started here is ready to be a primary: wal_level=replica, WAL senders and a
# replication line for 127.0.0.1 in pg_hba.conf (trust, like the rest: loopback only).
# PG_EXTRA_OPTS adds server options (the tests turn fsync off; benchmarks keep the defaults).
set -euo pipefail
cmd=${1:?start|replica|stop}; dir=${2:?data folder}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n "$bindir" ]] || { echo "PostgreSQL server binaries not found (apt install postgresql)" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {  # DIR PORT: start it, print its URL
  as_owner "$bindir/pg_ctl" -D "$1" -w -t 60 -l "$1/server.log" \
    -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c max_connections=200 -c wal_level=replica -c max_wal_senders=10 -c hot_standby=on ${PG_EXTRA_OPTS:-}" \
    start >/dev/null
  echo "postgresql+psycopg://postgres@127.0.0.1:$2/postgres"
}

case "$cmd" in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    if [[ ! -f "$dir/PG_VERSION" ]]; then
      as_owner "$bindir/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
        || as_owner "$bindir/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C >"$dir.initdb.log" 2>&1
    fi
    grep -qE '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$dir/pg_hba.conf" \
      || echo "host replication all 127.0.0.1/32 trust" >>"$dir/pg_hba.conf"
    start_server "$dir" "$port"
    ;;
  replica)
    replica=${3:?replica data folder}; port=${4:?port}
    [[ -f "$dir/postmaster.pid" ]] || { echo "no primary running in $dir" >&2; exit 1; }
    primary_port=$(sed -n 4p "$dir/postmaster.pid")
    rm -rf "$replica"
    mkdir -p "$replica"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$replica"
    chmod 700 "$replica"
    # -R writes primary_conninfo and standby.signal: the copy starts as a hot standby that
    # streams from the primary; -X stream carries the WAL written during the copy.
    as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$replica" \
      -R -X stream -c fast >"$replica.basebackup.log" 2>&1
    start_server "$replica" "$port"
    ;;
  stop)
    [[ -f "$dir/postmaster.pid" ]] && as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: $0 start DIR PORT | replica PRIMARY_DIR REPLICA_DIR PORT | stop DIR" >&2; exit 2 ;;
esac
