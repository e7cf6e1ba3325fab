#!/usr/bin/env bash
# Thin wrapper: bench/side_by_side.py does the work (see bench/README.md).
exec /usr/bin/python3 "$(dirname "$0")/side_by_side.py" "$@"
