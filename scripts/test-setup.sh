#!/usr/bin/env bash
# Installs what the tests use beyond Rust: the feed checkers (../shared/tools/feedcheck), and
# Chromium with a font that has Vietnamese and puppeteer-core for the browser test
# (tests/browser.rs). Idempotent: quick when everything is there already.
set -euo pipefail
cd "$(dirname "$0")/.."
../shared/tools/feedcheck/install.sh
if ! command -v chromium >/dev/null || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get install -y -q chromium fonts-dejavu-core
fi
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
