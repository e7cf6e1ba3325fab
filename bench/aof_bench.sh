#!/usr/bin/env bash
# Thin wrapper: bench/aof_bench.py does the work (AOF everysec cost vs no AOF and vs Redis).
exec /usr/bin/python3 "$(dirname "$0")/aof_bench.py" "$@"
