#!/usr/bin/env bash
# The explorer in a real browser: Debian's headless Chromium and
# chromedriver, axe-core from npm, and `cargo test --test browser` (not part
# of plain `cargo test`: a fresh machine has no Chromium). The tests leave
# screenshots of every state in target/browser-screenshots/.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_shared_data
export CI=true

compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || apt_install postgresql
apt_install chromium chromium-driver
# Any Node.js with npm will do (nodesource's bundles npm; Debian splits it).
command -v npm >/dev/null || apt_install nodejs npm
step "$(chromium --version), $(chromedriver --version | cut -d' ' -f1-2)"

# axe-core at the lockfile's version and integrity, cached by its content.
lock=deploy/checks/browser/package-lock.json
npm_dir="$CI_CACHE/npm-$(cat deploy/checks/browser/package.json "$lock" | sha256sum | cut -c1-16)"
if [[ ! -f "$npm_dir/.complete" ]]; then
  step "npm ci (axe-core) into $npm_dir"
  rm -rf "$npm_dir" && mkdir -p "$npm_dir"
  cp deploy/checks/browser/package.json "$lock" "$npm_dir/"
  npm ci --prefix "$npm_dir" --no-audit --no-fund --ignore-scripts >/dev/null
  touch "$npm_dir/.complete"
fi
# A stable path, where `cargo test --test browser` looks by default.
ln -sfn "$npm_dir/node_modules/axe-core" "$CI_CACHE/axe-core"
export AXE_CORE_JS="$CI_CACHE/axe-core/axe.min.js"

step "cargo test --test browser"
cargo test --locked --test browser

step "screenshots: $(cd target/browser-screenshots && pwd)"
cat target/browser-screenshots/page-weight.txt
