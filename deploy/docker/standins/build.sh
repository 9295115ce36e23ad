#!/usr/bin/env bash
# Builds the local stand-ins for the base images the Dockerfile and the
# compose files name (no registry is reachable on CI), each tagged by a
# content key so a run reuses what an earlier run built:
#   base     Debian bookworm minbase, debootstrapped  (debian:bookworm-slim)
#   builder  base + the host's Rust toolchain + gcc   (rust:*-slim-bookworm)
#   runtime  glibc, CA certificates, tzdata,         (gcr.io/distroless/base-nossl-debian12:nonroot)
#            a nonroot user (65532), no shell
#   postgres base + Debian's PostgreSQL + an entrypoint honouring the
#            official image's variables             (postgres:*-bookworm)
#
# Usage: build.sh CACHE_DIR OUT_ENV_FILE
# Needs DOCKER_HOST (a running engine) and /usr/bin/docker with BuildKit.
# Writes BASE_IMAGE=, RUST_IMAGE=, RUNTIME_IMAGE=, POSTGRES_IMAGE= lines.
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?cache directory}
out=${2:?output env file}
docker=/usr/bin/docker
export DOCKER_BUILDKIT=1
mkdir -p "$cache"

key_of() { sha256sum | cut -c1-16; }
have_image() { "$docker" image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror this machine is configured with (the only one reachable).
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

# 1. base: debootstrap is the slow step (~2 min), so its tarball is kept.
base_key=$(printf 'bookworm minbase %s v1\n' "$mirror" | key_of)
base=rates-standin/debian:$base_key
if ! have_image "$base"; then
  tarball=$cache/rootfs-$base_key.tar
  if [[ ! -f $tarball ]]; then
    echo "stand-ins: debootstrap bookworm from $mirror" >&2
    command -v debootstrap >/dev/null || { echo "error: debootstrap is not installed" >&2; exit 1; }
    rootfs=$(mktemp -d "$cache/rootfs.XXXX")
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    # Like the official slim image: no package lists, no apt cache.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"; trap - EXIT
  fi
  echo "stand-ins: importing $base" >&2
  "$docker" import -c 'CMD ["bash"]' "$tarball" "$base" >/dev/null
fi

# 2. derived images, keyed by the base, their recipe and what they copy in.
build() { # NAME KEY_INPUT CONTEXT_DIR [docker build args...]
  local name=$1 input=$2 context=$3; shift 3
  local key; key=$( { echo "$base_key"; cat "$here/$name.Dockerfile"; echo "$input"; } | key_of)
  local tag=rates-standin/$name:$key
  if ! have_image "$tag"; then
    echo "stand-ins: building $tag" >&2
    "$docker" build -q -f "$here/$name.Dockerfile" --build-arg BASE="$base" \
      --label org.rates.standin="$name" "$@" -t "$tag" "$context" >/dev/null
  fi
  echo "$tag"
}

# The builder gets the host's toolchain (the same stable release the
# Dockerfile pins) and the host's CA bundle (HTTPS to crates.io is
# intercepted by a local CA on these machines).
toolchain=$(rustc --print sysroot)
rust_version=$(rustc --version | awk '{print $2}')
ca=/etc/ssl/certs/ca-certificates.crt
builder_ctx=$(mktemp -d)
trap 'rm -rf "$builder_ctx"' EXIT
builder_key_input="$rust_version $(sha256sum "$ca" | cut -c1-16)"
builder_key=$( { echo "$base_key"; cat "$here/builder.Dockerfile"; echo "$builder_key_input"; } | key_of)
if ! have_image "rates-standin/builder:$builder_key"; then
  mkdir -p "$builder_ctx/toolchain"
  # Only what compiling needs: no docs (share/), no rust-src.
  cp -rL "$toolchain/bin" "$toolchain/lib" "$toolchain/libexec" "$builder_ctx/toolchain/"
  cp "$ca" "$builder_ctx/ca-certificates.crt"
fi
rust_image=$(build builder "$builder_key_input" "$builder_ctx" --build-arg RUST_VERSION="$rust_version")
rm -rf "$builder_ctx"; trap - EXIT

runtime_image=$(build runtime "" "$here")
postgres_image=$(build postgres "$(cat "$here/postgres-entrypoint.sh")" "$here")

cat >"$out" <<EOF
BASE_IMAGE=$base
RUST_IMAGE=$rust_image
RUNTIME_IMAGE=$runtime_image
POSTGRES_IMAGE=$postgres_image
EOF

# Stand-ins of earlier keys are not needed any more.
current=" $base $rust_image $runtime_image $postgres_image "
"$docker" images --format '{{.Repository}}:{{.Tag}}' 'rates-standin/*' | while read -r old; do
  [[ $current == *" $old "* ]] || "$docker" image rm "$old" >/dev/null 2>&1 || true
done
