#!/usr/bin/env bash
# Stand-in for the official postgres image's docker-entrypoint.sh (CI only).
# Same contract for what the compose stack uses: on an empty PGDATA, initdb
# with POSTGRES_USER and POSTGRES_PASSWORD[_FILE] (SCRAM for TCP logins),
# create POSTGRES_DB, run /docker-entrypoint-initdb.d/*.sql|*.sh, then serve
# on all addresses. Runs as root (drops to postgres) or as postgres itself.
set -Eeuo pipefail

# VAR or VAR_FILE (not both), like the official image.
file_env() {
  local var=$1 file_var=${1}_FILE value=${2:-}
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo "error: both $var and $file_var are set (but are exclusive)" >&2
    exit 1
  fi
  if [[ -n ${!var:-} ]]; then
    value=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    value=$(<"${!file_var}")
  fi
  export "$var=$value"
  unset "$file_var"
}

if [[ ${1:-} == postgres ]]; then
  if [[ $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA"
    chown -R postgres:postgres "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
  fi
  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    file_env POSTGRES_PASSWORD
    file_env POSTGRES_USER postgres
    file_env POSTGRES_DB "$POSTGRES_USER"
    if [[ -z $POSTGRES_PASSWORD ]]; then
      echo "error: Database is uninitialized and superuser password is not specified." >&2
      exit 1
    fi
    chmod 0700 "$PGDATA"
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
      --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [[ $POSTGRES_DB != postgres ]]; then
      psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -q \
        -c "CREATE DATABASE \"$POSTGRES_DB\""
    fi
    for f in /docker-entrypoint-initdb.d/*; do
      case $f in
        *.sh) echo "running $f"; # shellcheck disable=SC1090
              . "$f" ;;
        *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -q -f "$f" ;;
      esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    unset POSTGRES_PASSWORD
    echo "PostgreSQL init process complete; ready for start up."
  fi
fi
exec "$@"
