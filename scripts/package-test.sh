#!/usr/bin/env bash
# Builds the Debian package (scripts/package.sh), checks it with lintian (every tag down to
# pedantic fails, except the overrides shipped with their reasons), inspects its contents,
# installs it with dpkg on this machine (root: CI's throwaway machine), runs the installed
# `bantin check` and `systemd-analyze verify`, rates the unit with `systemd-analyze security`
# (must stay <= 1.5), and purges it again.
# Usage: scripts/package-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
command -v lintian >/dev/null || $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q lintian
scripts/package.sh
deb=$(ls target/debian/bantin_*.deb | tail -1)
fail() { echo "package-test: $*" >&2; exit 1; }

lintian --pedantic --fail-on error,warning,info,pedantic "$deb" || fail "lintian tags (above)"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/bantin ./usr/lib/systemd/system/bantin.service ./etc/bantin/bantin.toml \
    ./etc/bantin/feeds/backan.toml ./usr/share/man/man1/bantin.1.gz \
    ./usr/share/bash-completion/completions/bantin ./usr/share/zsh/vendor-completions/_bantin \
    ./usr/share/fish/vendor_completions.d/bantin.fish ./usr/share/doc/bantin/copyright; do
    grep -qx -- "$path" <<<"$contents" || fail "$path missing from $deb"
done
conffiles=$(dpkg-deb -f "$deb" Package >/dev/null && dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
for conf in /etc/bantin/bantin.toml /etc/bantin/feeds/backan.toml; do
    grep -qx -- "$conf" <<<"$conffiles" || fail "$conf is not a conffile"
done

$sudo dpkg -i "$deb"
trap '$sudo dpkg --purge bantin >/dev/null' EXIT
[ "$(command -v bantin)" = /usr/bin/bantin ] || fail "bantin is not /usr/bin/bantin"
bantin check -c /etc/bantin/bantin.toml
man -l /usr/share/man/man1/bantin.1.gz 2>/dev/null | grep -q "BANTIN_CONFIG" || \
    zcat /usr/share/man/man1/bantin.1.gz | grep -q "BANTIN_CONFIG" || fail "man page without its environment"
systemd-analyze verify /usr/lib/systemd/system/bantin.service
exposure=$(systemd-analyze security --offline=true /usr/lib/systemd/system/bantin.service 2>/dev/null \
    | awk '/Overall exposure level/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) print $i}')
echo "systemd-analyze security: $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 1.5) }' || fail "exposure $exposure is above 1.5"
echo "package-test: $deb ok"
