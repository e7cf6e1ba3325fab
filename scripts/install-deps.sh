#!/usr/bin/env bash
# Installs everything Gannet needs to build, run, test and benchmark on Debian 12.
# Idempotent: packages already present are skipped, so both README commands call it.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # toolchain
  build-essential g++ cmake ninja-build pkg-config git
  # clang 14 and its sanitizer/libFuzzer runtimes: the asan preset (and the fuzzers)
  clang libclang-rt-14-dev
  # libraries
  libasio-dev libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev
  libbenchmark-dev libjemalloc-dev
  # the oracle and its tools (redis-cli, redis-benchmark, redis-check-*)
  redis-server redis-tools
  # client tests: redis-py and the Node.js clients
  python3 python3-redis nodejs npm
  # process tools used by tests and the side-by-side benchmark
  procps util-linux curl
  # SHA-256 for ACL passwords, TLS
  libssl-dev openssl
)
# --containers: also what the image test needs (podman with runc, and debootstrap to make
# a local debian:bookworm-slim base where no registry is reachable).
if [ "${1:-}" = "--containers" ]; then
  PACKAGES+=(podman buildah runc debootstrap)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# A binary on PATH from elsewhere (e.g. a newer Node.js) is fine: skip its package.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs|npm) ;; *) filtered+=("$p") ;; esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packaged redis-server from starting a service on 6379 during install.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    created_policy=1
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi
else
  echo "install-deps: system packages present"
fi
