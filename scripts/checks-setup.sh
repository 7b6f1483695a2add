#!/usr/bin/env bash
# Installs bantin's own feed checks (tests/checks/) by package name into target/checks/:
#   Debian  newsboat, nodejs, npm, python3-venv (apt-get, only when missing; needs root or sudo)
#   PyPI    tests/checks/requirements.txt (feedparser, lxml, rnc2rng) into target/checks/venv
#   npm     tests/checks/package-lock.json (feedsmith) into target/checks/node
# then converts the RELAX NG schemas to XML syntax (target/checks/schemas/) and runs the
# checker on itself. Idempotent: a second run installs nothing. The tests run
# target/checks/venv/bin/python tests/checks/check-feeds.py and fail, naming
# scripts/test-setup.sh, when it is not there.
set -euo pipefail
cd "$(dirname "$0")/.."
checks="$PWD/tests/checks"
home="$PWD/target/checks"
mkdir -p "$home"
say() { echo "checks-setup: $*"; }

# Debian packages: a tool counts as present when its command works, whoever installed it.
missing=()
command -v newsboat >/dev/null || missing+=(newsboat)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    say "apt-get install ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Python: a venv of its own, reinstalled only when requirements.txt changed.
if [ ! -x "$home/venv/bin/python" ]; then
    say "python3 -m venv $home/venv"
    python3 -m venv "$home/venv"
fi
if ! cmp -s "$checks/requirements.txt" "$home/venv/requirements.txt"; then
    say "pip install -r tests/checks/requirements.txt"
    "$home/venv/bin/python" -m pip install -q --disable-pip-version-check -r "$checks/requirements.txt"
    cp "$checks/requirements.txt" "$home/venv/requirements.txt"
fi

# npm: exact versions from the lockfile; the script sits beside node_modules so its imports
# resolve there.
mkdir -p "$home/node"
if ! cmp -s "$checks/package-lock.json" "$home/node/package-lock.json" || [ ! -d "$home/node/node_modules" ]; then
    say "npm ci (tests/checks/package-lock.json)"
    cp "$checks/package.json" "$checks/package-lock.json" "$home/node/"
    npm ci --prefix "$home/node" --no-audit --no-fund --loglevel=error
fi

# Schemas: compact syntax in the repository, XML syntax for lxml.
mkdir -p "$home/schemas"
for schema in atom rss; do
    if ! cmp -s "$checks/$schema.rnc" "$home/schemas/$schema.rnc"; then
        say "$schema.rnc -> $schema.rng"
        # rnc2rng declares the empty namespace as a prefix (`xmlns:local=""`), which XML forbids;
        # its patterns name it as `ns=""` and need no prefix.
        "$home/venv/bin/rnc2rng" "$checks/$schema.rnc" | sed -E 's/[[:space:]]*xmlns:local=""//' \
            >"$home/schemas/$schema.rng.tmp"
        mv "$home/schemas/$schema.rng.tmp" "$home/schemas/$schema.rng"
        cp "$checks/$schema.rnc" "$home/schemas/$schema.rnc"
    fi
done

"$home/venv/bin/python" "$checks/check-feeds.py" --self-test
