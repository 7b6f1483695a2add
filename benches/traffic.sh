#!/usr/bin/env bash
# Traffic benchmark: the daemon (`bantin run`, release build) with 10 sources × 50 articles,
# under the loads feed readers really bring, each phase on a freshly started daemon:
#   rotating  64 connections cycling over every served URL (3 formats × 10 sources, `all`, `/`),
#             Accept-Encoding: gzip, br (answered in brotli)
#   burst     64 connections on /feeds/all.rss the moment the daemon reports ready, gzip only
#   index     64 connections on `/` alone, gzip only
#   soak      16 connections rotating for SOAK seconds while a feed source changes every 30 s,
#             gzip, br
# Prints req/s, p99, the Accept-Encoding sent and the daemon's peak (VmHWM) and resident
# (VmRSS) memory.
# Needs Debian's wrk, curl and python3. Usage: benches/traffic.sh [seconds per phase] [soak seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
only=${3:-all}
soak=${2:-600}
for tool in wrk curl python3; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
cargo build --release --quiet
bin=$PWD/target/release/bantin
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 10000)); feedport=$((port + 1))
base="http://127.0.0.1:$port"

mkdir -p "$work/etc/feeds" "$work/pages" "$work/changing"
cat > "$work/etc/bantin.toml" <<TOML
listen = "127.0.0.1:$port"
database = "$work/bantin.sqlite"
log_level = "warn"
TOML
# Ten sources never scraped during the run (their portal is a closed port, once a year), each
# with 50 articles: the seed page with its title and id varied, stored with `bantin import`.
for s in $(seq 0 9); do
    cat > "$work/etc/feeds/source-$s.toml" <<TOML
name = "source-$s"
title = "Nguồn $s"
site = "http://127.0.0.1:9/"
profile = "publishing-portal"
list_pages = ["http://127.0.0.1:9/Pages/tin-tuc-su-kien.aspx"]
schedule = "0 0 1 1 *"
limit = 50
TOML
    args=()
    for i in $(seq 1 50); do
        sed "s/Phấn đấu tăng trưởng công nghiệp năm 2024 đạt trên 16%/Nguồn $s, bài số $i: tăng trưởng công nghiệp/" \
            tests/fixtures/publishing-portal/article-12345.html > "$work/pages/$s-$i.html"
        args+=(--url "https://portal-$s.example/Pages/chi-tiet-tin-tuc.aspx?ItemID=$((20000 + i))" "$work/pages/$s-$i.html")
    done
    "$bin" import --config "$work/etc/bantin.toml" --feed "source-$s" "${args[@]}" >/dev/null
done
paths=("/")
for s in $(seq 0 9) all; do for ext in rss atom json; do
    [ "$s" = all ] && p="/feeds/all.$ext" || p="/feeds/source-$s.$ext"
    paths+=("$p")
done; done
lua=$work/rotate.lua
{
    printf 'local paths = {'; printf '"%s",' "${paths[@]}"; printf '}\n'
    cat <<'LUA'
local i = 0
request = function()
    i = i % #paths + 1
    return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip, br"})
end
LUA
} > "$lua"

pid=
start_daemon() {
    "$bin" run --config "$work/etc/bantin.toml" 2>>"$work/bantin.log" &
    pid=$!
    for _ in $(seq 600); do curl -sf "$base/healthz" >/dev/null && return; sleep 0.05; done
    echo "the daemon did not start: $(tail -3 "$work/bantin.log")" >&2; exit 1
}
stop_daemon() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
mem() { awk '/^VmHWM|^VmRSS/ {printf "%s %.1f MB  ", $1, $2 / 1024}' "/proc/$pid/status"; }
wrk_line() { # NAME ACCEPT-ENCODING WRK-ARGS…
    local name=$1 encoding=$2; shift 2
    local out rps p99
    out=$(wrk -t2 --latency "$@")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf '%-9s %10.0f req/s  p99 %-9s Accept-Encoding: %-9s ' "$name" "$rps" "$p99" "$encoding"
}

echo "$(ls "$work/pages" | wc -l) articles in 10 sources; ${#paths[@]} URLs"
start_daemon; echo "idle after start: $(mem)"
wrk_line rotating "gzip, br" -c64 -d"${secs}s" -s "$lua" "$base"; mem; echo; sleep 1; echo "          after: $(mem)"; stop_daemon

start_daemon
wrk_line burst gzip -c64 -d"${secs}s" -H "Accept-Encoding: gzip" "$base/feeds/all.rss"; mem; echo; stop_daemon

start_daemon
wrk_line index gzip -c64 -d"${secs}s" -H "Accept-Encoding: gzip" "$base/"; mem; echo; stop_daemon

# The soak: a feed source whose feed gains an item every 30 s, scraped every 30 s.
cat > "$work/etc/feeds/changing.toml" <<TOML
name = "changing"
title = "Nguồn thay đổi"
site = "http://127.0.0.1:$feedport/"
profile = "rss"
list_pages = ["http://127.0.0.1:$feedport/feed.xml"]
schedule = "*/30 * * * * *"
limit = 50
TOML
write_feed() { # N items
    {
        echo '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>changing</title><link>http://127.0.0.1/</link><description>d</description>'
        for i in $(seq "$1" -1 1); do
            printf '<item><title>Tin %s</title><link>http://127.0.0.1:%s/tin/%s</link><guid>tin-%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n' \
                "$i" "$feedport" "$i" "$i" "$(date -u -R -d "@$((1700000000 + i * 60))")" "$(printf 'Nội dung bài %.0s' $(seq 40))"
        done
        echo '</channel></rss>'
    } > "$work/changing/feed.xml.tmp"
    mv "$work/changing/feed.xml.tmp" "$work/changing/feed.xml"
}
write_feed 1
(cd "$work/changing" && exec python3 -m http.server "$feedport" --bind 127.0.0.1 >/dev/null 2>&1) &
paths+=("/feeds/changing.rss" "/feeds/changing.atom" "/feeds/changing.json")
sed -i "s|^local paths = {|local paths = {\"/feeds/changing.rss\",\"/feeds/changing.atom\",\"/feeds/changing.json\",|" "$lua"
start_daemon
(n=1; while sleep 30; do n=$((n + 1)); write_feed "$n"; done) &
changer=$!
samples=()
(wrk -t2 -c16 -d"${soak}s" -s "$lua" "$base" > "$work/soak.out") &
for _ in $(seq $((soak / 30))); do
    sleep 30
    samples+=("$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")")
done
wait %?wrk 2>/dev/null || sleep 2
kill "$changer"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/soak.out")
items=$(curl -s "$base/feeds/changing.json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
printf 'soak      %10.0f req/s  Accept-Encoding: gzip, br; %s s, %s items in the changing feed; VmRSS every 30 s (MB):' "$rps" "$soak" "$items"
printf ' %s' "${samples[@]/%/}" | awk '{for (i = 1; i <= NF; i++) printf " %.1f", $i / 1024}'
echo; echo "          $(mem)"
stop_daemon
