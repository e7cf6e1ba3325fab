#!/usr/bin/env bash
# Builds the Gannet image with podman (or docker) from the repository root:
#   docker/build-image.sh [tag]          # default tag: localhost/gannet:latest
# When no debian:bookworm-slim image is present and no registry is reachable (offline
# build machines), it first makes a local look-alike with debootstrap from the apt
# mirror this machine uses, as the official image is made (a minbase bootstrap).
# Hosts where podman's default runtime (crun) cannot start containers get runc, and the
# ulimits are kept within the host's hard limits (see README, "Docker").
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-localhost/gannet:latest}

engine=$(command -v podman || command -v docker || true)
if [ -z "$engine" ]; then
  echo "build-image: neither podman nor docker is installed" >&2
  exit 2
fi
flags=()
if [ "$(basename "$engine")" = podman ]; then
  command -v runc >/dev/null && flags+=(--runtime runc)
fi
ulimits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=32768:32768)

if ! "$engine" image exists debian:bookworm-slim 2>/dev/null &&
   ! "$engine" image inspect debian:bookworm-slim >/dev/null 2>&1; then
  if ! "$engine" pull -q debian:bookworm-slim >/dev/null 2>&1; then
    echo "build-image: no debian:bookworm-slim image and no registry: making one with debootstrap"
    mirror=$(awk 'tolower($1)=="uris:"{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [ -z "$mirror" ]; then
      mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    fi
    mirror=${mirror:-http://deb.debian.org/debian}
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    root=$work/rootfs
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
      tail -20 "$work/debootstrap.log" >&2
      exit 1
    }
    rm -f "$root/etc/apt/sources.list"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" >"$root/etc/apt/sources.list.d/debian.sources"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
    : >"$root/etc/resolv.conf"
    tar --numeric-owner -C "$root" -c . | "$engine" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' - localhost/debian:bookworm-slim >/dev/null
    "$engine" tag localhost/debian:bookworm-slim docker.io/library/debian:bookworm-slim
  fi
fi

# --format docker keeps the HEALTHCHECK (the OCI format drops it).
"$engine" "${flags[@]}" build --pull=never --format docker --network host "${ulimits[@]}" \
  --layers=false -f docker/Dockerfile -t "$tag" .
