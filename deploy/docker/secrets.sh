#!/usr/bin/env bash
# Creates the compose stack's secrets in deploy/docker/secrets/ if absent:
# random passwords for the postgres superuser and for rates_owner. Existing
# files are kept (the database already holds those passwords).
#
# Modes: the directory is 0700 (no other user of this machine can reach the
# files); each file is 0644 because compose bind-mounts it as it is, and the
# containers read it as their own users (rates: 65532, postgres: 999), not as
# you. A 0600 file would make start-up fail with "permission denied".
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)/secrets
mkdir -p "$dir"
chmod 0700 "$dir"
for name in postgres_password owner_password; do
  file=$dir/$name
  if [[ ! -s $file ]]; then
    # 32 random bytes, URL-safe base64: no quoting issues anywhere.
    head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$file.tmp"
    mv "$file.tmp" "$file"
    echo "created $file"
  fi
  chmod 0644 "$file"
done
