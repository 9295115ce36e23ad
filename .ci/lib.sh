# Shared helpers for the CI scripts: `source "$(dirname "$0")/lib.sh"`.
# Each script is runnable alone (`bash .ci/NAME.sh`) from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Where CI keeps what it installs or builds between runs on the same machine
# (Python tools, stand-in base images): never inside the checkout.
CI_CACHE=${CI_CACHE_DIR:-/var/cache/rates-ci}
mkdir -p "$CI_CACHE"

_ci_started=$(date +%s)
_ci_name=$(basename "$0" .sh)
# Commands registered with `on_exit` (stopping what a script started) run
# first, last registered first, then the timing line.
_ci_on_exit=()
on_exit() { _ci_on_exit=("$*" "${_ci_on_exit[@]}"); }
trap 'rc=$?; for _c in "${_ci_on_exit[@]}"; do eval "$_c" || true; done; echo "== $_ci_name: $( ((rc)) && echo FAILED || echo ok ) in $(( $(date +%s) - _ci_started )) s"; exit $rc' EXIT

# Prints a step heading with the time since the script started.
step() { echo "-- [$_ci_name +$(( $(date +%s) - _ci_started ))s] $*"; }

# Installs Debian packages that are missing, without letting them start
# services (nginx, prometheus and postgresql would): where no policy-rc.d
# decides that already, one refuses every start for the length of the install
# (the Debian way, honoured by invoke-rc.d and deb-systemd-invoke).
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  step "apt-get install ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d own=false rc=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && own=true
  fi
  apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    rc=$?
  if $own; then rm -f "$policy"; fi
  return "$rc"
}

# A virtualenv with the pinned Python tools of a requirements file under
# deploy/checks/ (default: requirements.txt), rebuilt when that file
# changes. Puts its bin/ first on PATH.
python_tools() {
  local req=${1:-deploy/checks/requirements.txt}
  local key; key=$(sha256sum "$req" | cut -c1-16)
  local venv="$CI_CACHE/venv-$key"
  # Built in place (entry points record the venv's absolute path); the
  # marker says the install finished.
  if [[ ! -f "$venv/.complete" ]]; then
    step "installing Python tools from $req into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
    touch "$venv/.complete"
  fi
  export PATH="$venv/bin:$PATH"
}

# The reference dumps beside the checkout; CI never runs without them.
require_shared_data() {
  for f in xeneta-rates-2021.sql xeneta-rates-2016.sql; do
    [[ -f ../shared/data/$f ]] || { echo "error: ../shared/data/$f not found beside the checkout" >&2; exit 1; }
  done
}
