#!/usr/bin/env bash
# CPU per request on small (listpack-encoded) hashes and sorted sets, by instruction count:
# redis-benchmark's own -t hset/zadd tests hit one big hash and one big sorted set, so they
# never touch a listpack. This loads 10,000 hashes of 10 fields and 10,000 sorted sets of
# 10 members (the shapes of side_by_side_memory.py's hash_small and zset_small), then runs
# HSET (overwrite a field), HGET, ZADD (rescore a member) and ZSCORE on random keys under
# callgrind, for each server binary given, and prints the user-space instructions (Ir) per
# request. Instruction counts do not depend on machine load.
#
#   bench/cpu_listpack.sh [-P 16] [-n 100000] SERVER...   (gannet-server or redis-server paths)
set -euo pipefail

pipeline=16
requests=100000
keys=10000
servers=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -P) pipeline="$2"; shift 2 ;;
    -n) requests="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) servers+=("$1"); shift ;;
  esac
done
[[ ${#servers[@]} -gt 0 ]] || { echo "give one or more server binaries" >&2; exit 2; }
for tool in valgrind callgrind_control redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

work="$(mktemp -d /tmp/cpu_listpack.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The keys redis-benchmark's __rand_int__ names (12 digits) with -r $keys.
/usr/bin/python3 - "$keys" >"$work/load.resp" <<'PY'
import sys
n = int(sys.argv[1])
fields = ["user_id", "name", "email", "role", "ip", "agent", "created", "seen", "csrf", "flags"]
def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
w = sys.stdout.buffer
for i in range(n):
    args = ["HSET", "sh:%012d" % i]
    for j, f in enumerate(fields):
        args += [f, "v%05dx" % ((i * 7 + j) % 100000)]
    w.write(resp(*args))
    args = ["ZADD", "sz:%012d" % i]
    for j in range(10):
        args += [str((i + j * 37) % 1000), "player:%d" % j]
    w.write(resp(*args))
PY

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

tests=(
  "hset|HSET sh:__rand_int__ seen v12345x"
  "hget|HGET sh:__rand_int__ seen"
  "zadd|ZADD sz:__rand_int__ 500 player:5"
  "zscore|ZSCORE sz:__rand_int__ player:5"
)

printf '%-40s' server
for t in "${tests[@]}"; do printf '%10s' "${t%%|*}"; done
echo
for bin in "${servers[@]}"; do
  port="$(free_port)"
  out="$work/cg"
  if [[ "$(basename "$bin")" == redis-server* ]]; then
    valgrind --tool=callgrind --callgrind-out-file="$out.%p" --dump-instr=no \
      --collect-systime=no "$bin" --port "$port" --bind 127.0.0.1 --save "" \
      --appendonly no --daemonize no >"$work/server.log" 2>&1 &
  else
    valgrind --tool=callgrind --callgrind-out-file="$out.%p" --dump-instr=no \
      --collect-systime=no "$bin" --port "$port" --bind 127.0.0.1 --save "" \
      --appendonly no >"$work/server.log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 1 600); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  redis-cli -p "$port" --pipe <"$work/load.resp" >/dev/null
  printf '%-40s' "$bin"
  for t in "${tests[@]}"; do
    name="${t%%|*}"
    read -r -a cmd <<<"${t#*|}"
    # Warm-up, then a measured run.
    redis-benchmark -p "$port" -P "$pipeline" -n 20000 -c 50 -r "$keys" "${cmd[@]}" >/dev/null
    callgrind_control -z "$server_pid" >/dev/null 2>&1
    redis-benchmark -p "$port" -P "$pipeline" -n "$requests" -c 50 -r "$keys" "${cmd[@]}" >/dev/null
    callgrind_control -d "$name" "$server_pid" >/dev/null 2>&1
    sleep 0.5
    dump="$(ls -t "$out".*.* 2>/dev/null | head -1)"
    total="$(awk '/^summary:/ {print $2; exit}' "$dump")"
    rm -f "$dump"
    printf '%10s' "$(awk -v t="$total" -v n="$requests" 'BEGIN{printf "%.0f", t/n}')"
  done
  echo
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -f "$out".*
done
