#!/usr/bin/env bash
# Runs the property tests of tests/hostile.rs (extraction, text dumps, dates, feeds, URLs,
# charsets, config) for longer than the test suite does: CASES cases each (default 20,000),
# release build. Prints how many properties and inputs ran and how long the run took (the build
# before it not counted); any failure shows the smallest input that fails.
# Usage: scripts/fuzz.sh [cases]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000}
cargo test --release --locked --test hostile --no-run
# The properties are the #[test]s inside `proptest! { … }`.
properties=$(awk '/^proptest! \{/ {p = 1} p && /#\[test\]/ {n++} p && /^\}/ {p = 0} END {print n + 0}' tests/hostile.rs)
start=$(date +%s.%N)
PROPTEST_CASES=$cases cargo test --release --locked --test hostile -- --test-threads 2
end=$(date +%s.%N)
awk -v p="$properties" -v c="$cases" -v s="$start" -v e="$end" 'BEGIN {
    printf "fuzz: %d properties x %d cases = %d inputs, %.0f s (tests/hostile.rs, release, 2 threads, build excluded)\n", p, c, p * c, e - s }'
