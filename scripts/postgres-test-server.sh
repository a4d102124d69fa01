#!/usr/bin/env bash
# Install (with apt, if missing) and start a local PostgreSQL server, and create the test role and
# database. Prints the TEST_DATABASE_URL to use. Needs root (as on CI and the dev machines).
set -euo pipefail

DB_NAME=${DB_NAME:-citymatch_test}
DB_USER=${DB_USER:-citymatch}
DB_PASSWORD=${DB_PASSWORD:-citymatch}

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "Installing PostgreSQL with apt…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^${version} main"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | grep -q "^${version} main .* online"; then
  pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done

as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAX -c \"$1\""; }
if [ -z "$(as_postgres "SELECT 1 FROM pg_roles WHERE rolname = '${DB_USER}'")" ]; then
  as_postgres "CREATE ROLE ${DB_USER} LOGIN CREATEDB PASSWORD '${DB_PASSWORD}'" >&2
fi
# Parallel test workers (pytest-xdist) each create their own database next to this one.
as_postgres "ALTER ROLE ${DB_USER} CREATEDB" >&2
if [ -z "$(as_postgres "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" ]; then
  as_postgres "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER} ENCODING 'UTF8' TEMPLATE template0" >&2
fi
echo "postgresql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:5432/${DB_NAME}"
