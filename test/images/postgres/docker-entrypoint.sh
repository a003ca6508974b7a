#!/bin/bash
# Like the official image: options alone mean postgres with those options; only then is PGDATA
# initialised on first start and postgres run as its user. Any other command (a replica's
# pg_basebackup script, a backup loop) runs as given, with PGDATA untouched.
set -euo pipefail
if [ "$#" -eq 0 ] || [ "${1:0:1}" = "-" ]; then
  set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
  exec "$@"
fi
shift
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}" "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA
# Started as root, the folders go to postgres and every step runs as postgres; started as another
# user (Kubernetes' runAsUser, Docker's --user), as the official image allows, everything runs as
# that user, who must be able to write PGDATA (fsGroup, or a volume it owns).
if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
  mkdir -p "$PGDATA" /run/postgresql && chown postgres:postgres "$PGDATA" /run/postgresql
else
  as_pg() { "$@"; }
  mkdir -p "$PGDATA"
fi
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  pwfile=$(mktemp) && printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  if [ "$(id -u)" = 0 ]; then chown postgres "$pwfile"; fi
  as_pg initdb --username=postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  {
    echo "listen_addresses = '*'"
    echo "password_encryption = scram-sha-256"
  } >>"$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "host replication all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  as_pg pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  psql=(psql -v ON_ERROR_STOP=1 --username postgres --no-password --dbname postgres)
  if [ "$POSTGRES_USER" != postgres ]; then
    # Variables are interpolated in scripts read from standard input, not in -c commands.
    echo "CREATE ROLE :\"u\" LOGIN SUPERUSER PASSWORD :'p';" |
      as_pg "${psql[@]}" --set u="$POSTGRES_USER" --set p="$POSTGRES_PASSWORD" >/dev/null
  fi
  if [ "$POSTGRES_DB" != postgres ]; then
    echo 'CREATE DATABASE :"d" OWNER :"u";' | as_pg "${psql[@]}" --set d="$POSTGRES_DB" --set u="$POSTGRES_USER" >/dev/null
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) as_pg "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" >/dev/null ;;
      *.sh) . "$f" ;;
    esac
  done
  as_pg pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi

if [ "$(id -u)" = 0 ]; then
  exec runuser -u postgres -- postgres "$@"
fi
exec postgres "$@"
