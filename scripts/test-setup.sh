#!/usr/bin/env bash
# Installs what the tests use beyond Rust: the feed checkers (../shared/tools/feedcheck);
# Chromium with a font that has Vietnamese and puppeteer-core for the browser test
# (tests/browser.rs); nginx, Caddy and openssl for the reverse-proxy test (tests/proxy.rs).
# Idempotent: quick when everything is there already.
set -euo pipefail
cd "$(dirname "$0")/.."
../shared/tools/feedcheck/install.sh
packages=(chromium fonts-dejavu-core nginx caddy openssl)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    # The tests start their own nginx and Caddy on loopback; the packages' services are not needed.
    $sudo systemctl disable --now nginx caddy 2>/dev/null || true
fi
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
