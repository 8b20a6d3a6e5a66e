#!/usr/bin/env bash
# Starts a local PostgreSQL for tests, the bench and CI, from Debian's packages, and prints its URL.
#
#   export TEST_POSTGRES_URL="$(scripts/ci/start-postgres.sh)"
#   TEST_DATABASE_PROVIDER=postgres npm test
#
# Idempotent: installs the server only if missing, starts the cluster only if it is down, creates the
# role and database only if they do not exist. Works as root (the server itself runs as `postgres`).
# Loopback only. Everything but the URL goes to stderr, so `$(…)` captures just the URL.
set -euo pipefail

PG_USER="${PG_USER:-oppref}"
PG_PASSWORD="${PG_PASSWORD:-oppref}"
PG_DB="${PG_DB:-oppref}"
PG_PORT="${PG_PORT:-5432}"

log() { echo "[start-postgres] $*" >&2; }
as_postgres() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/sh -c "$1"; else sudo -u postgres sh -c "$1"; fi
}

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing postgresql from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^${VERSION} main$"; then
  log "creating cluster ${VERSION}/main"
  pg_createcluster "${VERSION}" main --port "${PG_PORT}" >&2
fi
if ! pg_lsclusters -h | awk -v v="${VERSION}" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "starting cluster ${VERSION}/main"
  # fsync stays on: the durability test relies on a commit being on disk when we answer 200.
  pg_ctlcluster "${VERSION}" main start >&2
fi
for _ in $(seq 1 50); do
  as_postgres "pg_isready -q -h 127.0.0.1 -p ${PG_PORT}" && break
  sleep 0.2
done

# CREATEDB: the test suite makes one fresh database per run and vitest worker, and drops it after.
as_postgres "psql -v ON_ERROR_STOP=1 -q -p ${PG_PORT} -d postgres" >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PG_USER}') THEN
    CREATE ROLE "${PG_USER}" LOGIN CREATEDB PASSWORD '${PG_PASSWORD}';
  ELSE
    ALTER ROLE "${PG_USER}" LOGIN CREATEDB PASSWORD '${PG_PASSWORD}';
  END IF;
END
\$\$;
SQL
if ! as_postgres "psql -tAq -p ${PG_PORT} -d postgres -c \"SELECT 1 FROM pg_database WHERE datname = '${PG_DB}'\"" | grep -q 1; then
  as_postgres "createdb -p ${PG_PORT} -O ${PG_USER} ${PG_DB}" >&2
fi

log "PostgreSQL ${VERSION} ready on 127.0.0.1:${PG_PORT}"
echo "postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/${PG_DB}"
