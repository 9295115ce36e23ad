#!/usr/bin/env bash
# The container image and the Docker Compose stack, linted, built and run
# under a real Docker engine (a private dockerd this script starts and stops):
#   lint         hadolint, checkov, trivy config, shellcheck, yamllint,
#                compose config + compose_lint.py, the consistency rule's tests
#   stand-ins    local base images (no registry here), cached by content key
#   image        build the Dockerfile (slim + all-in-one), size, config, rebuild
#   consistency  the rule against the reference of the binary in the image
#   fail fast    missing / unreadable secrets
#   stack        compose up on the Xeneta dump, rotation under load, stop, volume, secrets
#   replicas     two api replicas behind HAProxy, restarted under load
#   all-in-one   the demo image alone
# Engine state (images, build cache) lives in $CI_CACHE/container, so later
# runs reuse the stand-ins and the cargo caches.
# shellcheck source=.ci/lib.sh
source "$(dirname "$0")/lib.sh"
require_shared_data
export CI=true

apt_install docker.io debootstrap curl iptables
python_tools deploy/checks/requirements-container.txt

state=$CI_CACHE/container
mkdir -p "$state/run" "$state/docker-config/cli-plugins"
work=$(mktemp -d)
export DOCKER_HOST=unix://$state/run/docker.sock
export DOCKER_CONFIG=$state/docker-config
export DOCKER_BUILDKIT=1
# Compose v5 from PyPI, as the client's plugin.
cp -f "$(command -v docker-compose)" "$DOCKER_CONFIG/cli-plugins/docker-compose"
docker=/usr/bin/docker

dockerd_pid=
stop_dockerd() {
  [[ -n $dockerd_pid ]] || return 0
  kill "$dockerd_pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
}
on_exit rm -rf "$work"
on_exit stop_dockerd

step "lint: hadolint, checkov, trivy config"
dockerfiles=(Dockerfile deploy/docker/proxy/Dockerfile deploy/docker/standins/*.Dockerfile)
hadolint "${dockerfiles[@]}"
checkov --skip-download --quiet --compact "${dockerfiles[@]/#/-f}" >"$work/checkov.txt" || { cat "$work/checkov.txt"; exit 1; }
grep -E '^Passed checks' "$work/checkov.txt"
# Neither checkov nor trivy has a Docker Compose scanner: compose files are
# checked by `compose config` (schema) and compose_lint.py below.
trivy config --quiet --skip-check-update --cache-dir "$CI_CACHE/trivy" --exit-code 1 Dockerfile
trivy config --quiet --skip-check-update --cache-dir "$CI_CACHE/trivy" --exit-code 1 \
  --ignorefile deploy/docker/trivyignore.yaml deploy/docker

step "lint: shellcheck, yamllint, compose config, compose_lint.py"
shellcheck -x .ci/container.sh deploy/docker/*.sh deploy/docker/standins/*.sh deploy/docker/test/*.sh
yamllint -s -d '{extends: default, rules: {line-length: {max: 200}, document-start: disable}}' \
  compose.yaml deploy/docker/compose.proxy.yaml deploy/docker/trivyignore.yaml
# `compose config` needs the secret files to exist; made here as a user would.
deploy/docker/secrets.sh
for files in "-f compose.yaml" "-f compose.yaml -f deploy/docker/compose.proxy.yaml"; do
  # shellcheck disable=SC2086 # the file options, split on purpose
  $docker compose $files config --quiet
  # shellcheck disable=SC2086
  $docker compose $files config --format json | python3 deploy/docker/test/compose_lint.py
done

step "consistency rule: its tests against the contract's reference"
python3 -m unittest deploy/checks/consistency_rules/test_docker.py

step "engine: a private dockerd"
if $docker info >/dev/null 2>&1; then
  echo "reusing the engine already answering on $DOCKER_HOST"
else
  printf '{"builder": {"gc": {"enabled": true, "defaultKeepStorage": "20GB"}}}\n' >"$state/run/daemon.json"
  dockerd --config-file "$state/run/daemon.json" --data-root "$state/docker" --exec-root "$state/run/exec" \
    --host "$DOCKER_HOST" --pidfile "$state/run/docker.pid" >"$state/run/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 60); do $docker info >/dev/null 2>&1 && break; sleep 1; done
  $docker info >/dev/null 2>&1 || { tail -20 "$state/run/dockerd.log"; exit 1; }
fi
$docker version --format 'engine {{.Server.Version}}, client {{.Client.Version}}'
$docker compose version

step "stand-in base images"
deploy/docker/standins/build.sh "$state" "$work/standins.env"
# shellcheck source=/dev/null # written just above
set -a; source "$work/standins.env"; set +a
cat "$work/standins.env"
export APP_IMAGE=rates:ci DEMO_IMAGE=rates:ci-demo PROXY_IMAGE=rates-proxy:ci

step "image: build, size, configuration, rebuild after a source-only change"
timeout 1800 deploy/docker/test/image.sh
$docker build -q --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$PROXY_IMAGE" deploy/docker/proxy >/dev/null
# Images of earlier runs that these tags replaced (the build cache stays).
$docker image prune -f >/dev/null

step "consistency rule: against the binary in the image"
$docker run --rm "$APP_IMAGE" config --reference json >"$work/reference.json"
RATES_REFERENCE=$work/reference.json python3 -m unittest deploy/checks/consistency_rules/test_docker.py

step "fail fast: missing or unreadable secrets"
timeout 300 deploy/docker/test/failfast.sh

step "stack: compose up on the Xeneta dump, rotation, stop, volume, secrets"
timeout 900 deploy/docker/test/stack.sh

step "replicas: two api replicas behind HAProxy, restarted under load"
timeout 600 deploy/docker/test/replicas.sh

step "all-in-one: the demo image alone"
timeout 300 deploy/docker/test/all_in_one.sh
