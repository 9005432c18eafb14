# Sourced by the PostGIS tests: a throwaway PostgreSQL cluster on a Unix socket in a temporary
# folder (no TCP port, trust for the local superuser, scram-sha-256 for the role `office`),
# stopped and removed by pg_cluster_stop, which the caller's EXIT trap runs.
#   pg_cluster_start DIR   starts it; sets PGHOST (the socket folder), PGBIN, PGDATA, PG_AS
#   pg_cluster_stop        stops it (immediate) and removes DIR
#   pg_cluster_restart     starts the same data again (after a crash)
#   PG_SETTINGS            more server settings ("-c shared_buffers=2GB ...")
#   pg_postmaster_pid      the postmaster's pid
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (scripts/install-deps.sh installs it)"; exit 1; }
# initdb refuses root: as root the cluster runs as the postgres user, in a folder it owns.
pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_cluster_start() {
  PG_DIR=$1
  mkdir -p "$PG_DIR"
  chmod 755 "$PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
  PGDATA=$PG_DIR/data
  export PGHOST=$PG_DIR PGUSER=postgres PGDATABASE=postgres
  pg_as "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
  # The role `office` signs in with a password, so the tests can give it a wrong one.
  { echo "local all office scram-sha-256"; cat "$PGDATA/pg_hba.conf"; } > "$PG_DIR/hba" &&
    pg_as cp "$PG_DIR/hba" "$PGDATA/pg_hba.conf"
  pg_cluster_restart
}

pg_cluster_restart() {
  pg_as "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PG_DIR/log" -w start \
    -o "-c listen_addresses='' -c unix_socket_directories=$PG_DIR -c fsync=off ${PG_SETTINGS:-}" >/dev/null
}

pg_postmaster_pid() { head -1 "$PGDATA/postmaster.pid"; }

pg_cluster_stop() {
  [ -n "${PGDATA:-}" ] && pg_as "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
