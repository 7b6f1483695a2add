#!/usr/bin/env bash
# Opens the demo's index page and a feed in headless Chromium (Debian package `chromium`),
# checks what a person sees, and keeps screenshots in target/screenshots/.
# Usage: scripts/browser-check.sh   (builds the debug binary; needs no network)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "needs Debian's chromium: apt-get install chromium" >&2; exit 2; }
cargo build --quiet
out=target/screenshots
mkdir -p "$out"
port=$((20000 + RANDOM % 20000))
target/debug/bantin demo --listen "127.0.0.1:$port" > "$out/demo.log" 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

# The flags keep Chromium off the (closed) network; a fresh profile each run.
chrome() {
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d)" --window-size=1000,1400 "$@" 2>/dev/null
}
fail=0
check() { # URL NAME TEXT...: screenshot URL, and require each TEXT in its rendered DOM
    local url=$1 name=$2; shift 2
    chrome --screenshot="$out/$name.png" "$url" >/dev/null
    local dom; dom=$(chrome --dump-dom "$url")
    for text in "$@"; do
        if ! grep -qF -- "$text" <<<"$dom"; then echo "FAIL $name: '$text' not on the page"; fail=1; fi
    done
    echo "checked $name ($out/$name.png)"
}
base="http://127.0.0.1:$port"
check "$base/" index '<h1>bantin demo</h1>' 'feeds/backan-sample.rss' '12 bài'
check "$base/feeds/backan-sample.rss" feed-rss 'This is a news feed' '<h2><a href=' 'Phấn đấu tăng trưởng công nghiệp'
check "$base/feeds/backan-sample.atom" feed-atom 'This is a news feed' 'Phấn đấu tăng trưởng công nghiệp'
exit $fail
