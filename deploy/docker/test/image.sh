#!/usr/bin/env bash
# Builds the real Dockerfile with the stand-in bases and checks the images:
#   the slim target (APP_IMAGE) and the all-in-one target (DEMO_IMAGE);
#   size of the slim image (limit IMAGE_SIZE_LIMIT_MB, default 40);
#   its configuration: uid 65532, entrypoint, CMD, port, stop signal,
#   exec-form HEALTHCHECK through `rates healthcheck`, OCI labels, external
#   database mode; no shell in it;
#   a rebuild after a source-only change takes the dependency layer from
#   the cache and compiles the rates crate alone.
# Needs RUST_IMAGE, RUNTIME_IMAGE, POSTGRES_IMAGE (stand-ins) and the names
# APP_IMAGE, DEMO_IMAGE to tag. Prints build times.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source deploy/docker/test/lib.sh
: "${RUST_IMAGE:?}" "${RUNTIME_IMAGE:?}" "${POSTGRES_IMAGE:?}" "${APP_IMAGE:?}" "${DEMO_IMAGE:?}"
export DOCKER_BUILDKIT=1
work=$(mktemp -d)
trap 'rm -rf "$work"; "$docker" image rm -f rates:ci-rebuild >/dev/null 2>&1 || true' EXIT
version=$(awk -F'"' '/^version *=/ {print $2; exit}' Cargo.toml)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
build_args=(--build-arg RUST_IMAGE="$RUST_IMAGE" --build-arg RUNTIME_IMAGE="$RUNTIME_IMAGE"
  --build-arg POSTGRES_IMAGE="$POSTGRES_IMAGE" --build-arg VERSION="$version" --build-arg REVISION="$revision")

# build LOG [docker build args...]: prints the seconds it took.
build() {
  local log=$1; shift
  local t0; t0=$(date +%s)
  "$docker" build --progress=plain "${build_args[@]}" "$@" >"$log" 2>&1 || { tail -40 "$log" >&2; fail "docker build $*"; }
  echo $(($(date +%s) - t0))
}

echo "-- build: slim image (default target) and all-in-one"
secs=$(build "$work/build.log" -t "$APP_IMAGE" .)
say "slim image built in ${secs} s ($(grep -c ' Compiling ' "$work/build.log" || true) crates compiled)"
secs=$(build "$work/demo.log" --target all-in-one -t "$DEMO_IMAGE" .)
say "all-in-one built in ${secs} s"

echo "-- size"
bytes=$("$docker" image inspect -f '{{.Size}}' "$APP_IMAGE")
binary=$("$docker" run --rm --entrypoint /usr/local/bin/rates "$APP_IMAGE" --version 2>/dev/null || true)
limit=${IMAGE_SIZE_LIMIT_MB:-40}
say "slim image: $((bytes / 1000000)) MB ($bytes bytes; base $(($("$docker" image inspect -f '{{.Size}}' "$RUNTIME_IMAGE") / 1000000)) MB); $binary"
say "all-in-one: $(($("$docker" image inspect -f '{{.Size}}' "$DEMO_IMAGE") / 1000000)) MB"
((bytes < limit * 1000000)) || fail "the slim image is over ${limit} MB"

echo "-- configuration"
cfg() { "$docker" image inspect -f "{{json .Config.$1}}" "$APP_IMAGE"; }
expect_cfg() { [[ $(cfg "$1") == "$2" ]] || fail "image $1 is $(cfg "$1"), expected $2"; }
expect_cfg User '"65532:65532"'
expect_cfg Entrypoint '["/usr/local/bin/rates"]'
expect_cfg Cmd '["serve"]'
expect_cfg ExposedPorts '{"3000/tcp":{}}'
expect_cfg StopSignal '"SIGTERM"'
[[ $(cfg Healthcheck | json 'd["Test"]') == "['CMD', '/usr/local/bin/rates', 'healthcheck']" ]] \
  || fail "HEALTHCHECK is not exec-form rates healthcheck: $(cfg Healthcheck)"
cfg Env | json 'd' | grep -q "'RATES_DATABASE=external'" || fail "RATES_DATABASE=external is not the image's default"
labels=$(cfg Labels)
for key in version revision source licenses; do
  value=$(json "d.get('org.opencontainers.image.$key', '')" <<<"$labels")
  [[ -n $value ]] || fail "label org.opencontainers.image.$key is missing"
done
[[ $(json "d['org.opencontainers.image.revision']" <<<"$labels") == "$revision" ]] || fail "revision label"
for shell in /bin/sh /bin/bash /busybox/sh; do
  if "$docker" run --rm --entrypoint "$shell" "$APP_IMAGE" -c true >/dev/null 2>&1; then
    fail "the image has a shell: $shell"
  fi
done
say "uid 65532, entrypoint, CMD serve, EXPOSE 3000, SIGTERM, HEALTHCHECK, labels ($version, ${revision:0:12}), no shell"

echo "-- rebuild after a source-only change"
# A copy of the build context with one comment added to src/main.rs.
mkdir "$work/context"
cp -r Dockerfile .dockerignore Cargo.toml Cargo.lock build.rs src migrations tests "$work/context/"
echo "// rebuild check $(date +%s%N)" >>"$work/context/src/main.rs"
secs=$(build "$work/rebuild.log" -t rates:ci-rebuild "$work/context")
cook=$(grep -m1 -E '^#[0-9]+ \[builder [0-9/]+\] RUN .*cargo chef cook' "$work/rebuild.log" | cut -d' ' -f1)
[[ -n $cook ]] || fail "no cargo chef cook step in the rebuild"
grep -qx "$cook CACHED" "$work/rebuild.log" || fail "the dependency layer (cargo chef cook) was rebuilt"
compiled=$(grep -oE ' Compiling [^ ]+' "$work/rebuild.log" | sort -u | tr '\n' ' ')
[[ $compiled == " Compiling rates " ]] || fail "the rebuild compiled more than rates:$compiled"
say "rebuilt in ${secs} s: dependency layer from the cache, only the rates crate compiled"
