#!/usr/bin/env bash
# Builds the Debian package: target/debian/bantin_VERSION-1_ARCH.deb, with the binary, the
# systemd unit, /etc/bantin (conffiles), the man page and shell completions (generated here by
# the binary itself). Installs cargo-deb first if it is missing.
# Usage: scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deb >/dev/null || cargo install --locked cargo-deb
cargo build --release --locked
mkdir -p target/assets
target/release/bantin man | gzip -9n > target/assets/bantin.1.gz
target/release/bantin completions bash > target/assets/bantin.bash
target/release/bantin completions zsh > target/assets/_bantin
target/release/bantin completions fish > target/assets/bantin.fish
cargo deb --no-build --locked
