#!/usr/bin/env bash
# Load benchmark: bantin serving GET /feeds/bench.rss (50 items) against nginx serving the
# file `bantin export` wrote (the same bytes: checked, identity and gzip, and the run stops with
# exit 1 if they differ), both on 127.0.0.1 in the same run, with wrk (64 keep-alive
# connections, 2 threads). Reports requests/s and p99 latency for 200 and 304.
# Needs Debian's nginx and wrk. Usage: benches/load.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
for tool in nginx wrk curl; do command -v $tool >/dev/null || { echo "needs $tool (apt-get install nginx wrk curl)" >&2; exit 2; }; done
cargo build --release --quiet
bin=$PWD/target/release/bantin
work=$(mktemp -d)
chmod 755 "$work" # nginx's workers run as www-data
trap 'kill $(jobs -p) 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
bport=$((20000 + RANDOM % 10000)); nport=$((bport + 1))

mkdir -p "$work/etc/feeds" "$work/pages"
cat > "$work/etc/bantin.toml" <<TOML
listen = "127.0.0.1:$bport"
public_url = "http://127.0.0.1:$bport/"
database = "$work/bantin.sqlite"
log_level = "warn"
TOML
# The source is never scraped during the run: its portal is a closed port, once a year.
cat > "$work/etc/feeds/bench.toml" <<TOML
name = "bench"
title = "Benchmark feed"
site = "http://127.0.0.1:9/"
profile = "publishing-portal"
list_pages = ["http://127.0.0.1:9/Pages/tin-tuc-su-kien.aspx"]
schedule = "0 0 1 1 *"
limit = 50
TOML
# 50 articles: the seed page with its title and id varied, stored with `bantin import`.
args=()
for i in $(seq 1 50); do
    sed "s/Phấn đấu tăng trưởng công nghiệp năm 2024 đạt trên 16%/Bài số $i: tăng trưởng công nghiệp/" \
        tests/fixtures/publishing-portal/article-12345.html > "$work/pages/$i.html"
    args+=(--url "https://backan.gov.vn/Pages/chi-tiet-tin-tuc.aspx?ItemID=$((20000 + i))" "$work/pages/$i.html")
done
"$bin" import --config "$work/etc/bantin.toml" --feed bench "${args[@]}" | tail -1
"$bin" export --config "$work/etc/bantin.toml" --out "$work/public"

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types { application/rss+xml rss; application/atom+xml atom; application/feed+json json; }
    charset utf-8;
    charset_types application/rss+xml application/atom+xml application/feed+json;
    gzip_static on;
    server { listen 127.0.0.1:$nport; root $work/public; }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"
"$bin" run --config "$work/etc/bantin.toml" 2>"$work/bantin.log" &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$bport/healthz" >/dev/null && break; sleep 0.1; done

burl="http://127.0.0.1:$bport/feeds/bench.rss"; nurl="http://127.0.0.1:$nport/feeds/bench.rss"
curl -sf -o /dev/null "$nurl" || { echo "nginx does not serve $nurl: $(tail -1 "$work/nginx-error.log")" >&2; exit 1; }
# The comparison is only fair on the same bytes: identity, and gzip once decompressed. A
# difference stops the benchmark (exit 1) rather than printing numbers for different work.
curl -sf -o "$work/b.rss" "$burl"; curl -sf -o "$work/n.rss" "$nurl"
curl -sf -H 'Accept-Encoding: gzip' "$burl" | gzip -dc > "$work/b.gunzip"
curl -sf -H 'Accept-Encoding: gzip' "$nurl" | gzip -dc > "$work/n.gunzip"
for pair in "b.rss n.rss identity" "b.gunzip n.gunzip gzip"; do
    set -- $pair
    if ! cmp -s "$work/$1" "$work/$2" || ! cmp -s "$work/$1" "$work/b.rss"; then
        echo "bantin and nginx answer different bytes ($3): $(wc -c < "$work/$1") and $(wc -c < "$work/$2")" >&2
        exit 1
    fi
done
echo "same bytes: $(wc -c < "$work/b.rss") bytes ($(gzip -c < "$work/b.rss" | wc -c) gzipped here), $(grep -o '<item>' "$work/b.rss" | wc -l) items, identity and gzip"
etag() { curl -sI "$1" | tr -d '\r' | awk 'tolower($1)=="etag:" {print $2}'; }

run() { # NAME URL [HEADER]
    local out
    if [ -n "${3:-}" ]; then out=$(wrk -t2 -c64 -d"${secs}s" --latency -H "$3" "$2"); else out=$(wrk -t2 -c64 -d"${secs}s" --latency "$2"); fi
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf '%s %s %s\n' "$1" "$rps" "$p99"
}
results=$(
    run "bantin-200" "$burl"
    run "nginx-200" "$nurl"
    run "bantin-gzip" "$burl" "Accept-Encoding: gzip"
    run "nginx-gzip" "$nurl" "Accept-Encoding: gzip"
    run "bantin-304" "$burl" "If-None-Match: $(etag "$burl")"
    run "nginx-304" "$nurl" "If-None-Match: $(etag "$nurl")"
)
echo
echo "| request | bantin req/s | nginx req/s | ratio | bantin p99 | nginx p99 |"
echo "|---|---|---|---|---|---|"
for kind in 200 gzip 304; do
    b=$(awk -v k="bantin-$kind" '$1==k' <<<"$results"); n=$(awk -v k="nginx-$kind" '$1==k' <<<"$results")
    awk -v b="$b" -v n="$n" -v k="$kind" 'BEGIN { split(b, x, " "); split(n, y, " ");
        label = (k == "gzip") ? "200, gzip" : k;
        printf "| GET %s | %d | %d | %.2f | %s | %s |\n", label, x[2], y[2], x[2] / y[2], x[3], y[3] }'
done
