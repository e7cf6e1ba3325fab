#!/usr/bin/env bash
# TLS throughput, gannet-server against redis-server, in the same run: both started with
# the same certificates (a CA, a server and a client certificate made here with the openssl
# CLI, client certificates required), then `redis-benchmark --tls` SET and GET at -P 1 and
# -P 16 against each TLS port in turn (A B A B over --rounds), printing the median ops/s per
# server and the ratio gannet/redis. Servers are pinned to core 1, the benchmark to core 0
# (as side_by_side.py). See bench/README.md.
#
#   bench/tls_bench.sh [--gannet PATH] [--redis PATH] [--rounds N] [--requests N]
#                      [--clients N] [--tests set,get] [--pipelines "1 16"]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
gannet="$here/../build/release/src/gannet-server"
redis="$(command -v redis-server || true)"
rounds=3
requests=200000
clients=50
tests="set,get"
pipelines="1 16"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --gannet) gannet="$2"; shift 2 ;;
    --redis) redis="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --tests) tests="$2"; shift 2 ;;
    --pipelines) pipelines="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

for tool in openssl redis-benchmark taskset; do
  command -v "$tool" >/dev/null || { echo "$tool not found (scripts/install-deps.sh)" >&2; exit 1; }
done
[[ -x "$gannet" ]] || { echo "no gannet-server at $gannet (build the release preset)" >&2; exit 1; }
[[ -n "$redis" && -x "$redis" ]] || { echo "redis-server not found" >&2; exit 1; }

work="$(mktemp -d /tmp/gannet-tls-bench-XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# ---- certificates
(
  cd "$work"
  openssl req -x509 -new -nodes -newkey rsa:2048 -days 2 -keyout ca.key -out ca.crt \
    -subj "/CN=Gannet bench CA" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
  for name in server client; do
    openssl req -new -nodes -newkey rsa:2048 -keyout "$name.key" -out "$name.csr" \
      -subj "/CN=bench-$name" 2>/dev/null
    ext=(); [[ $name == server ]] && ext=(-extfile san.ext)
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -out "$name.crt" "${ext[@]}" 2>/dev/null
  done
)

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

tls_flags=(--tls-cert-file "$work/server.crt" --tls-key-file "$work/server.key"
           --tls-ca-cert-file "$work/ca.crt")
cli_tls=(--tls --cacert "$work/ca.crt" --cert "$work/client.crt" --key "$work/client.key")

start_server() {  # name binary -> sets ${name}_tls
  local name="$1" bin="$2" port tls_port
  port="$(free_port)"; tls_port="$(free_port)"
  local extra=()
  [[ "$(basename "$bin")" == redis-server* ]] && extra=(--save "" --appendonly no --daemonize no)
  taskset -c 1 "$bin" --port "$port" --bind 127.0.0.1 --tls-port "$tls_port" "${tls_flags[@]}" \
    "${extra[@]}" > "$work/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 200); do
    if redis-cli -p "$tls_port" "${cli_tls[@]}" ping 2>/dev/null | grep -q PONG; then
      printf -v "${name}_tls" '%s' "$tls_port"
      return
    fi
    sleep 0.05
  done
  echo "$name did not answer on its TLS port:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

start_server gannet "$gannet"
start_server redis "$redis"
echo "gannet $("$gannet" --version 2>/dev/null | head -1) TLS port $gannet_tls;" \
     "redis $("$redis" --version | awk '{print $3}') TLS port $redis_tls;" \
     "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" >&2

# One redis-benchmark run: prints its ops/s.
run() {  # port test pipeline
  local n="$requests"
  [[ "$3" -gt 1 ]] && n=$((requests * 4))
  taskset -c 0 redis-benchmark -h 127.0.0.1 -p "$1" "${cli_tls[@]}" -t "$2" -P "$3" \
    -n "$n" -c "$clients" -r 1000000 -d 16 --csv 2>/dev/null |
    awk -F'","' 'NR == 2 { gsub(/"/, "", $2); print $2 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A results
for round in $(seq "$rounds"); do
  for t in ${tests//,/ }; do
    for p in $pipelines; do
      g="$(run "$gannet_tls" "$t" "$p")"
      r="$(run "$redis_tls" "$t" "$p")"
      echo "round $round $t -P $p: gannet $g ops/s, redis $r ops/s" >&2
      results["$t,$p,gannet"]+="$g "
      results["$t,$p,redis"]+="$r "
    done
  done
done

printf '%-6s %4s %14s %14s %8s\n' test P "gannet ops/s" "redis ops/s" ratio
for t in ${tests//,/ }; do
  for p in $pipelines; do
    g="$(tr ' ' '\n' <<< "${results[$t,$p,gannet]}" | grep . | median)"
    r="$(tr ' ' '\n' <<< "${results[$t,$p,redis]}" | grep . | median)"
    printf '%-6s %4s %14.0f %14.0f %8.2f\n' "${t^^}" "$p" "$g" "$r" \
      "$(awk -v g="$g" -v r="$r" 'BEGIN { print (r > 0) ? g / r : 0 }')"
  done
done
