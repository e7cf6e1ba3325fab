#!/usr/bin/env bash
# CPU per request by instruction count: runs gannet-server and a real redis-server, one after
# the other, under valgrind's callgrind with the same redis-benchmark load, and prints the
# user-space instructions (Ir) each spent per request, and (perf stat or strace -c, without
# valgrind) the system calls per request (--syscalls-only: just those). Instruction counts do
# not change when other processes compete for the cores, so this compares the two servers on
# a busy machine where wall-clock CPU time (side_by_side.py) is noise. It does not see kernel
# time: the syscall counts stand in for that.
#
#   bench/cpu_per_request.sh [--gannet PATH] [--redis PATH] [--tests get,set]
#                            [--pipelines "1 16"] [-n REQUESTS] [-c CLIENTS] [-r KEYSPACE]
#                            [--only gannet|redis] [--no-strace] [--syscalls-only] [--keep]
#                            [--server-args "--list-compress-depth 1"]
#
# --tests takes any redis-benchmark -t name (lpush, lpop, incr...); --server-args are added
# to both servers' command lines.
#
# Each (server, pipeline) run: start the server under callgrind, warm up (and load the
# keys: SET runs before GET), zero the counters (callgrind_control -z), run one test,
# dump (callgrind_control -d), read the dump's total Ir. --keep keeps the dumps (and the
# strace summaries) for callgrind_annotate; --only measures one server.
#
# Costs that follow the clock rather than the requests (the hz timer, Gannet's Cron and
# Redis's serverCron) are counted too, and callgrind's ~50x slowdown inflates them for
# both servers alike.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
gannet="${here}/../build/release/src/gannet-server"
redis="$(command -v redis-server || true)"
tests="set,get"
pipelines="1 16"
requests=200000
clients=50
keyspace=100000
do_strace=1
do_callgrind=1
keep=0
servers="gannet redis"
server_args=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --gannet) gannet="$2"; shift 2 ;;
    --redis) redis="$2"; shift 2 ;;
    --tests) tests="$2"; shift 2 ;;
    --pipelines) pipelines="$2"; shift 2 ;;
    -n) requests="$2"; shift 2 ;;
    -c) clients="$2"; shift 2 ;;
    -r) keyspace="$2"; shift 2 ;;
    --no-strace) do_strace=0; shift ;;
    --syscalls-only) do_callgrind=0; shift ;;
    --keep) keep=1; shift ;;
    --only) servers="$2"; shift 2 ;;
    --server-args) server_args="$2"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

for tool in valgrind callgrind_control redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
[[ -x "$gannet" ]] || { echo "no gannet-server at $gannet (build the release preset)" >&2; exit 2; }
[[ -n "$redis" && -x "$redis" ]] || { echo "no redis-server" >&2; exit 2; }
if [[ $do_strace -eq 1 ]] && ! command -v strace >/dev/null; then do_strace=0; fi

work="$(mktemp -d /tmp/cpu_per_request.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [[ $keep -eq 0 ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ready() {  # port
  for _ in $(seq 1 600); do
    if redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; then return 0; fi
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# Starts one server (optionally under a wrapper) on $port; sets server_pid.
start_server() {  # kind port wrapper...
  local kind="$1" port="$2"
  shift 2
  if [[ "$kind" == gannet ]]; then
    # shellcheck disable=SC2086  # server_args is a list of words
    "$@" "$gannet" --port "$port" --bind 127.0.0.1 --save "" --appendonly no $server_args \
      >"$work/${kind}.log" 2>&1 &
  else
    # shellcheck disable=SC2086
    "$@" "$redis" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
      $server_args >"$work/${kind}.log" 2>&1 &
  fi
  server_pid=$!
  wait_ready "$port"
}

stop_server() {
  redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

bench() {  # port test pipeline n
  redis-benchmark -p "$1" -t "$2" -P "$3" -n "$4" -c "$clients" -r "$keyspace" -q >/dev/null
}

# The total Ir of a callgrind dump (its "summary:" line).
dump_ir() {
  awk '/^summary:/ {print $2; exit}' "$1"
}

declare -A ir sys
for kind in $servers; do
  [[ $do_callgrind -eq 1 ]] || break
  for p in $pipelines; do
    port="$(free_port)"
    out="$work/${kind}.P${p}.callgrind"
    start_server "$kind" "$port" valgrind --tool=callgrind --callgrind-out-file="$out.%p" \
      --dump-instr=no --collect-systime=no
    # Warm-up: loads the keyspace (SET first) and lets allocators and tables settle.
    bench "$port" set "$p" "$keyspace"
    bench "$port" get "$p" 20000
    for t in ${tests//,/ }; do
      callgrind_control -z "$server_pid" >/dev/null 2>&1
      bench "$port" "$t" "$p" "$requests"
      callgrind_control -d "${kind}-${t}-P${p}" "$server_pid" >/dev/null 2>&1
      sleep 0.5
      dump="$(ls -t "$out".*.* 2>/dev/null | head -1)"
      total="$(dump_ir "$dump")"
      ir["$kind,$t,$p"]=$(awk -v t="$total" -v n="$requests" 'BEGIN{printf "%.0f", t/n}')
      [[ $keep -eq 1 ]] && mv "$dump" "$work/${kind}-${t}-P${p}.callgrind"
      rm -f "$dump"
    done
    stop_server "$port"
    rm -f "$out".*
  done
done

# System calls per request. With perf and the syscall tracepoints (root, or a low
# kernel.perf_event_paranoid) the counts come from `perf stat` on the running server, which
# does not slow it down: under strace the server is several times slower, so each
# epoll_wait finds many more ready clients and the epoll_wait calls per request come out
# far lower than in a normal run (at -P 1: 0.04 under strace, 0.3-0.5 without). Without
# perf, strace -c counts them (fine for recv/send, misleading for epoll_wait). Both leave
# out the futex waits of idle background threads (and strace's restart_syscall). The
# perf mode also counts the event loop's epoll_wait calls and its context switches (each
# a sleep in epoll_wait) per request.
use_perf=0
if [[ $do_strace -eq 1 ]] && command -v perf >/dev/null &&
   perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_futex true >/dev/null 2>&1; then
  use_perf=1
fi
declare -A ewait sleeps
if [[ $do_strace -eq 1 ]]; then
  for kind in $servers; do
    for p in $pipelines; do
      for t in ${tests//,/ }; do
        port="$(free_port)"
        start_server "$kind" "$port"
        bench "$port" set "$p" "$keyspace"
        stats="$work/${kind}-${t}-P${p}.syscalls"
        if [[ $use_perf -eq 1 ]]; then
          perf stat -x, -o "$stats" -e raw_syscalls:sys_enter,syscalls:sys_enter_futex \
            -e syscalls:sys_enter_restart_syscall,syscalls:sys_enter_epoll_wait \
            -e context-switches -p "$server_pid" &
        else
          strace -q -c -f -p "$server_pid" -o "$stats" &
        fi
        st=$!
        sleep 0.5
        bench "$port" "$t" "$p" "$requests"
        kill -INT "$st"
        wait "$st" 2>/dev/null || true
        if [[ $use_perf -eq 1 ]]; then
          # CSV lines "count,,event,...".
          calls="$(awk -F, '$3 == "raw_syscalls:sys_enter" {n += $1}
                            $3 == "syscalls:sys_enter_futex" {n -= $1}
                            $3 == "syscalls:sys_enter_restart_syscall" {n -= $1}
                            END {print n+0}' "$stats")"
          ew="$(awk -F, '$3 == "syscalls:sys_enter_epoll_wait" {print $1+0}' "$stats")"
          cs="$(awk -F, '$3 == "context-switches" {print $1+0}' "$stats")"
          ewait["$kind,$t,$p"]=$(awk -v c="$ew" -v n="$requests" 'BEGIN{printf "%.3f", c/n}')
          sleeps["$kind,$t,$p"]=$(awk -v c="$cs" -v n="$requests" 'BEGIN{printf "%.3f", c/n}')
        else
          # Calls per syscall line ("% secs usecs/call calls [errors] name").
          calls="$(awk '$NF ~ /^[a-z_0-9]+$/ && $1 ~ /^[0-9.]+$/ && $NF != "total" &&
                        $NF != "futex" && $NF != "restart_syscall" {n += $4} END {print n+0}' \
                   "$stats")"
        fi
        sys["$kind,$t,$p"]=$(awk -v c="$calls" -v n="$requests" 'BEGIN{printf "%.3f", c/n}')
        stop_server "$port"
      done
    done
  done
fi

printf '%-5s %-3s %12s %12s %7s %10s %10s %9s %9s %9s %9s\n' test P gannet_Ir redis_Ir ratio \
  gan_sys rds_sys gan_ewait rds_ewait gan_sleep rds_sleep
for t in ${tests//,/ }; do
  for p in $pipelines; do
    g="${ir[gannet,$t,$p]:--}"
    r="${ir[redis,$t,$p]:--}"
    printf '%-5s %-3s %12s %12s %7s %10s %10s %9s %9s %9s %9s\n' "$t" "$p" "$g" "$r" \
      "$(awk -v g="$g" -v r="$r" 'BEGIN{if (g == "-" || r == "-") print "-"; else printf "%.3f", g/r}')" \
      "${sys[gannet,$t,$p]:--}" "${sys[redis,$t,$p]:--}" \
      "${ewait[gannet,$t,$p]:--}" "${ewait[redis,$t,$p]:--}" \
      "${sleeps[gannet,$t,$p]:--}" "${sleeps[redis,$t,$p]:--}"
  done
done
echo "Ir = user-space instructions per request (callgrind); sys = system calls per request"
echo "(perf stat when available, else strace -c); ewait/sleep = epoll_wait calls and context"
echo "switches (sleeps in epoll_wait) per request, perf mode only"
[[ $keep -eq 1 ]] && echo "callgrind dumps and syscall counts in $work"
exit 0
