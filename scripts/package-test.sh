#!/usr/bin/env bash
# Builds the Debian package (scripts/package.sh), checks it with lintian (every tag down to
# pedantic fails, except the overrides shipped with their reasons), inspects its contents,
# installs it with dpkg on this machine (needs root or sudo), runs the installed `bantin check`
# and `systemd-analyze verify`, rates the unit with `systemd-analyze security` (must stay
# <= 1.5), and purges it again.
# Harmless: it refuses to start when bantin is installed here already (a package, or any file
# the package would install, /etc/bantin included), so the purge only ever removes what this
# script installed. Run it on a machine or container without bantin.
# Usage: scripts/package-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
fail() { echo "package-test: $*" >&2; exit 1; }
# Before anything is built: a real installation is never touched.
status=$(dpkg-query -W -f '${Status}' bantin 2>/dev/null || true)
case "$status" in
    *installed* | *config-files* | *unpacked*)
        fail "bantin is installed on this machine (dpkg: $status); this script installs and purges its own package, so it will not run here (remove it first, or run in a container)" ;;
esac
[ -e /etc/bantin ] && fail "/etc/bantin exists and this script did not make it; it will not install over it (move it away, or run in a container)"
if ! command -v lintian >/dev/null; then
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q lintian
fi
scripts/package.sh
deb=$(ls target/debian/bantin_*.deb | tail -1)

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

# Nothing the package installs may exist yet (a hand-installed /usr/bin/bantin would be
# overwritten, then removed by the purge).
existing=()
for path in $contents; do
    path=${path#.}
    [ -n "$path" ] && [ "${path%/}" = "$path" ] && [ -e "$path" ] && existing+=("$path")
done
[ ${#existing[@]} -eq 0 ] || fail "files the package installs exist already: ${existing[*]}; it will not overwrite them"

trap '$sudo dpkg --purge bantin >/dev/null' EXIT
$sudo dpkg -i "$deb"
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
