#!/usr/bin/env bash
# Installs what the tests use beyond Rust, by package name:
#   - the feed checks (scripts/checks-setup.sh): newsboat, nodejs, npm and python3-venv from
#     Debian; feedparser, lxml and rnc2rng from PyPI and feedsmith from npm, into target/checks/
#   - Chromium with a font that has Vietnamese and puppeteer-core for the browser test
#     (tests/browser.rs; npm, into tests/browser/node_modules)
#   - nginx, Caddy and openssl for the reverse-proxy test (tests/proxy.rs)
# Debian packages are installed only when missing, after `apt-get update`; that needs root
# (or sudo). Nothing else is changed on the machine: the tests start their own nginx and Caddy
# on loopback ports, beside any the system runs. Idempotent: quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(chromium fonts-dejavu-core nginx caddy openssl)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    echo "test-setup: apt-get install ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
scripts/checks-setup.sh
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
