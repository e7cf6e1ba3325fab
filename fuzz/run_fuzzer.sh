#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time on a scratch copy of its seed corpus (the ctest
# tests of label fuzz; fuzz/CMakeLists.txt). Fails when the fuzzer finds a crash, a sanitizer
# report, a timeout or an out-of-memory input; the input is kept in ARTIFACT_DIR.
#   run_fuzzer.sh FUZZER CORPUS_DIR SECONDS ARTIFACT_DIR [libFuzzer options...]
# GANNET_FUZZ_SECONDS overrides SECONDS (a longer run by hand).
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=${GANNET_FUZZ_SECONDS:-$3} artifacts=$4
shift 4
work=$(mktemp -d "${TMPDIR:-/tmp}/gannet-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$artifacts"
cp "$corpus"/* "$work/corpus/"
name=$(basename "$fuzzer")
echo "$name: ${seconds}s on a copy of $corpus ($(ls "$work/corpus" | wc -l) seeds)"
# -timeout: one input slower than this is a failure (a hang); -rss_limit_mb: so is one that
# makes the process this big. -print_final_stats for the log.
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/$name-" "$@" "$work/corpus" 2>"$work/log" || status=$?
# The log is long (one line per new coverage point): show its head, then the report of a
# failure (from its first line on) or else the closing statistics.
head -n 12 "$work/log"
echo "..."
if [ "$status" -ne 0 ]; then
  first=$(grep -n -m1 -E 'ERROR|runtime error|deadly signal|_fuzzer: ' "$work/log" | cut -d: -f1)
  tail -n +"$(( ${first:-1} > 5 ? ${first:-1} - 5 : 1 ))" "$work/log" | head -n 150
  echo "$name: FAILED (exit $status); the input is in $artifacts (replay: $fuzzer FILE)"
else
  grep -E '^#[0-9]+' "$work/log" | tail -n 1 || true
  grep '^stat::' "$work/log" || true
fi
exit "$status"
