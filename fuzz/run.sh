#!/usr/bin/env bash
# Runs one fuzz target for a while on the stable toolchain.
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
# FUZZ_SANITIZER=none runs without the address sanitizer (about 4x faster).
# Corpus grows in fuzz/corpus/TARGET (git-ignored); seeds in fuzz/seeds/TARGET
# are read but never written; crashes land in fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]}
secs=${2:-180}
shift $(( $# >= 2 ? 2 : 1 ))
mkdir -p "fuzz/corpus/$target"
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -s "${FUZZ_SANITIZER:-address}" "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
  -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 "$@"
