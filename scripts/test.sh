#!/usr/bin/env bash
# Installs the dependencies, then for each preset given configures, builds and runs the ctest
# suite: unit, integration, differential (against the Debian redis-server) and clients
# (redis-py, redis-cli, ioredis, node-redis).
#   scripts/test.sh                    # default: asan release:unit (the whole suite on the
#                                      # ASan+UBSan build, then the release unit tests)
#   scripts/test.sh asan release       # the whole suite on both builds
#   scripts/test.sh asan release:unit  # PRESET:LABELS runs only those ctest labels (a regex)
#   CTEST_ARGS="-R differential" scripts/test.sh debug   # extra ctest options
# Labels: unit integration differential clients fuzz (the libFuzzer targets for a bounded
# time each; built by the asan preset only). .ci/run calls exactly this script, so CI and a
# developer run the same thing.
set -euo pipefail
cd "$(dirname "$0")/.."

specs=("$@")
# By default: the whole suite under ASan+UBSan with clang (sanitizer reports are the most
# informative failures; the fuzzers come from the same build), then the optimised release
# build (GCC) with its unit tests. The release build is
# what scripts/run.sh runs, and -O2 brings warnings (-Werror) the -O1 asan build does not.
if [ "${#specs[@]}" -eq 0 ]; then specs=(asan release:unit); fi

scripts/install-deps.sh

# The Node.js client tests use the versions pinned in the committed lockfile.
(cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)

start=$(date +%s)
for spec in "${specs[@]}"; do
  preset=${spec%%:*}
  labels=""
  if [ "$spec" != "$preset" ]; then labels=${spec#*:}; fi
  echo "== preset ${preset}: configure and build ($(( $(date +%s) - start )) s so far)"
  cmake --preset "${preset}"
  cmake --build --preset "${preset}"
  echo "== preset ${preset}: test${labels:+ (labels ${labels})} ($(( $(date +%s) - start )) s so far)"
  # shellcheck disable=SC2086  # CTEST_ARGS is a list of options
  ctest --preset "${preset}" ${labels:+-L "${labels}"} ${CTEST_ARGS:-}
done
# Nothing is printed after ctest: its summary line is the run's closing line.
