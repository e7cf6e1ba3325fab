#!/usr/bin/env bash
# Installs the dependencies, builds the release preset and runs gannet-server in the
# foreground with its defaults. Extra arguments go to the server unchanged, e.g.
#   scripts/run.sh conf/gannet.conf --port 7000
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target gannet-server
exec build/release/src/gannet-server "$@"
