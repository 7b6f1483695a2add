#!/usr/bin/env bash
# Runs the property tests of tests/hostile.rs (extraction, text dumps, dates, feeds, URLs,
# charsets, config) for longer than the test suite does: CASES cases each (default 20,000),
# release build. Prints the time taken; any failure shows the smallest input that fails.
# Usage: scripts/fuzz.sh [cases]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000}
start=$(date +%s)
PROPTEST_CASES=$cases cargo test --release --locked --test hostile -- --test-threads 2
echo "fuzz: $cases cases per property, $(( $(date +%s) - start )) s"
