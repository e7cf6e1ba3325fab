#!/usr/bin/env bash
# Entrypoint of the Gannet image, behaving like the official redis image's:
#   docker run gannet                      -> gannet-server (listening on all interfaces)
#   docker run gannet /data/my.conf --port 7000
#                                          -> gannet-server /data/my.conf --port 7000
#   docker run gannet --maxmemory 1gb      -> gannet-server --maxmemory 1gb
#   docker run gannet bash                 -> bash
# Started as root, it gives the working directory's files to the server's user and drops
# to that user before exec'ing the server, so /data stays writable whoever made it.
# GANNET_USER (default gannet) names that user.
set -euo pipefail

# A first argument that is an option or a config file means "run the server with these".
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- gannet-server "$@"
fi

if [ "$1" = "gannet-server" ]; then
  # Without a config file the server would bind only loopback with protected mode on:
  # in a container that means unreachable, so listen everywhere as the redis image does.
  # A config file given as the first argument keeps its own bind settings.
  # Later arguments win, so the defaults go first and the caller's options override them.
  if [ "$#" -eq 1 ] || [ "${2%.conf}" = "$2" ]; then
    shift
    set -- gannet-server --bind "0.0.0.0 -::" --protected-mode no "$@"
  fi
  user=${GANNET_USER:-gannet}
  if [ "$(id -u)" = "0" ] && id "$user" >/dev/null 2>&1; then
    # Only what is not already the user's: a large volume is not walked twice.
    find . \! -user "$user" -exec chown "$user" '{}' +
    umask 0077
    exec setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups "$@"
  fi
  umask 0077
fi

exec "$@"
