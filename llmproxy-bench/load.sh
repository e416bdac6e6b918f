#!/usr/bin/env bash
# The hop benchmark: mock upstream, bare nginx reverse proxy, and the llmproxy Jetty example in
# its real configuration (issued token, H2 ledger with a spend budget and rate window, metering,
# audit) twice: with its blocking relay (llmproxy: OkHttp, a thread per exchange) and its
# non-blocking one (llmproxy-nio: LLMPROXY_RELAY=nonblocking), measured with wrk and StreamLoad on
# loopback. Then open streams at scale: SCALE_STREAMS concurrent SSE streams through each of
# SCALE_TARGETS, each Java hop in a fresh JVM (SCALE_HEAP) sampled for threads, RSS, heap and file
# descriptors while every stream is open. Prints one table (medians of RUNS runs)
# with every figure's ratio to direct and to nginx. Four floors get the same wrk runs and the
# stream runs, to show what bounds the hop: a plain Jetty servlet forwarding with OkHttp (no
# llmproxy), Jetty's own asynchronous proxy servlet, and the bare engine (no durable ledger, no
# audit) with exchanges on platform threads (its default) and on virtual threads. See
# docs/performance.md.
#
#   bash llmproxy-bench/load.sh
#
# Settings (environment): RUNS (3), DURATION seconds per wrk run (10), WARMUP seconds of load
# per Java hop before its first measured run (120: with 64 connections keeping both cores busy,
# the JIT's threads get little CPU and llmproxy takes 60-90 s to reach steady state; its warm-up
# is reported in 10 s slices), JAVA_HEAP (the Java hops' heap flags: "-Xms128m -Xmx256m"; a
# heap allowed to shrink to ~40 MiB around a ~22 MiB live set runs a concurrent mark cycle every
# second or so), PROXY_JAVA (java binary
# for the proxy; default: the newest JDK under /usr/lib/jvm, else `java`), STREAM_EVENTS (100),
# STREAM_INTERVAL_MS (50), FLOORS (the floors to run: all four), SCALE_STREAMS (10,000, or as
# many as two sockets each fit under this shell's hard limit on open files), SCALE_EVENTS (30),
# SCALE_INTERVAL_MS (500), SCALE_RAMP_MS (5000), SCALE_RUNS (RUNS), SCALE_TARGETS (direct nginx jetty-proxy-floor
# llmproxy-nio llmproxy), SCALE_HEAP ("-Xms512m -Xmx512m"), OUT (results directory; default a
# fresh one under /tmp), PHASES ("main scale": main is everything but the open streams at scale).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-120}
read -r -a JAVA_HEAP <<<"${JAVA_HEAP:--Xms128m -Xmx256m}"
STREAM_EVENTS=${STREAM_EVENTS:-100}
STREAM_INTERVAL_MS=${STREAM_INTERVAL_MS:-50}
PHASES=${PHASES:-main scale}
read -r -a FLOORS <<<"${FLOORS:-servlet-floor jetty-proxy-floor engine-floor engine-virtual-floor}"
SCALE_EVENTS=${SCALE_EVENTS:-30}
SCALE_INTERVAL_MS=${SCALE_INTERVAL_MS:-500}
SCALE_RAMP_MS=${SCALE_RAMP_MS:-5000}
read -r -a SCALE_TARGETS <<<"${SCALE_TARGETS:-direct nginx jetty-proxy-floor llmproxy-nio llmproxy}"
read -r -a SCALE_HEAP <<<"${SCALE_HEAP:--Xms512m -Xmx512m}"
OUT=${OUT:-$(mktemp -d /tmp/llmproxy-load.XXXXXX)}
MOCK_PORT=18180
NIO_PORT=18187
NGINX_PORT=18181
PROXY_PORT=18182
SERVLET_FLOOR_PORT=18183
ENGINE_FLOOR_PORT=18184
JETTY_FLOOR_PORT=18185
VIRTUAL_FLOOR_PORT=18186
BENCH_JAR="$ROOT/llmproxy-bench/target/benchmarks.jar"
PROXY_JAR="$ROOT/llmproxy-jetty-example/target/llmproxy-jetty-example.jar"

newest_jdk() {
  local best=""
  for jdk in /usr/lib/jvm/*/bin/java; do
    [ -x "$jdk" ] || continue
    local version
    version=$("$jdk" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -z "$best" ] || [ "${version%%.*}" -gt "${best%% *}" ]; then best="$version $jdk"; fi
  done
  echo "${best#* }"
}
PROXY_JAVA=${PROXY_JAVA:-$(newest_jdk)}
PROXY_JAVA=${PROXY_JAVA:-java}

log() { printf '== %s\n' "$*" >&2; }

install_tools() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx-light)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  command -v pgrep >/dev/null || missing+=(procps)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null
  fi
  if [ ! -f "$BENCH_JAR" ] || [ ! -f "$PROXY_JAR" ]; then
    log "building the jars"
    (cd "$ROOT" && mvn -B -q install -DskipTests)
  fi
}

PIDS=()
declare -A HOP_PID # target -> the process whose CPU time is the hop's
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Polls until $1 answers (bounded: 60 s).
await_http() {
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    sleep 0.1
  done
  log "no answer from $1"
  return 1
}

start_mock() {
  # Room for every hop's pooled connections at once (tens of thousands at scale): the mock is not
  # what is measured, and a mock out of memory breaks the streams of whatever hop comes next.
  java -Xms1g -Xmx3g -cp "$BENCH_JAR" dev.llmproxy.bench.MockUpstream "$MOCK_PORT" \
    >"$OUT/mock.log" 2>&1 &
  MOCK_PID=$!
  PIDS+=($!)
  await_http "http://127.0.0.1:$MOCK_PORT/"
  kill -0 "$MOCK_PID" 2>/dev/null || { log "the mock did not start (port $MOCK_PORT taken?)"; return 1; }
}

start_nginx() {
  mkdir -p "$OUT/nginx"
  cat >"$OUT/nginx/nginx.conf" <<EOF
worker_processes auto;
worker_rlimit_nofile $(($(ulimit -Hn) - 100));
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $OUT/nginx/body;
  proxy_temp_path $OUT/nginx/proxy;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096 reuseport; # each worker its share of the streams
    client_max_body_size 64m;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
EOF
  nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -g 'daemon off;' &
  HOP_PID[nginx]=$!
  PIDS+=($!)
  await_http "http://127.0.0.1:$NGINX_PORT/"
}

ADMIN_TOKEN=lp_admin_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
declare -A TOKEN_OF # target -> its issued token
# The example in its real configuration, relaying as $3 says (blocking or nonblocking), with the
# heap flags that follow; a fresh data directory each start.
start_proxy() { # target port relay heap...
  local target=$1 port=$2 relay=$3 dir
  shift 3
  dir=$(mktemp -d "$OUT/$target.XXXX")
  env LLMPROXY_PORT="$port" LLMPROXY_DATA_DIR="$dir/data" LLMPROXY_RELAY="$relay" \
    LLMPROXY_ADMIN_TOKEN="$ADMIN_TOKEN" \
    LLMPROXY_ANTHROPIC_BASE_URL="http://127.0.0.1:$MOCK_PORT" \
    LLMPROXY_ANTHROPIC_API_KEY="sk-ant-api03-bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    LLMPROXY_TIER_RATES="bench=100000000" \
    "$PROXY_JAVA" "$@" -Xlog:gc:file="$dir/gc.log" -jar "$PROXY_JAR" serve \
    >"$dir/server.log" 2>&1 &
  HOP_PID[$target]=$!
  PIDS+=($!)
  GC_LOG[$target]=$dir/gc.log
  await_http "http://127.0.0.1:$port/healthz"
  TOKEN_OF[$target]=$(curl -s -X POST "http://127.0.0.1:$port/admin/tokens" \
    -H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' \
    -d '{"user":"bench","tier":"bench","max_spend_usd":1000000000}' |
    sed -n 's/.*"token":"\(lp_sk_[A-Za-z0-9_-]*\)".*/\1/p')
  [ -n "${TOKEN_OF[$target]}" ] || { log "could not issue a token on $target"; return 1; }
}
declare -A GC_LOG

# The floors: the same hop with less in it (see HopFloor), on the proxy's JVM and heap.
start_floors() {
  local floor
  for floor in "${FLOORS[@]}"; do start_floor "$floor" "${JAVA_HEAP[@]}"; done
}
start_floor() { # floor heap...
  local floor=$1 mode=${1%-floor} port
  shift
  port=$(port_of "$floor")
  "$PROXY_JAVA" "$@" -cp "$BENCH_JAR" dev.llmproxy.bench.HopFloor "$mode" "$port" \
    "http://127.0.0.1:$MOCK_PORT" >"$OUT/$floor.log" 2>&1 &
  HOP_PID[$floor]=$!
  PIDS+=($!)
  await_http "http://127.0.0.1:$port/"
}
stop_hop() { # target
  local pid=${HOP_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "HOP_PID[$1]"
}

url_of() {
  case $1 in
    direct) echo "http://127.0.0.1:$MOCK_PORT/v1/messages" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT/v1/messages" ;;
    llmproxy) echo "http://127.0.0.1:$PROXY_PORT/proxy/anthropic/v1/messages" ;;
    llmproxy-nio) echo "http://127.0.0.1:$NIO_PORT/proxy/anthropic/v1/messages" ;;
    servlet-floor) echo "http://127.0.0.1:$SERVLET_FLOOR_PORT/proxy/anthropic/v1/messages" ;;
    *) echo "http://127.0.0.1:$(port_of "$1")/proxy/anthropic/v1/messages" ;;
  esac
}
port_of() {
  case $1 in
    direct) echo "$MOCK_PORT" ;;
    nginx) echo "$NGINX_PORT" ;;
    llmproxy) echo "$PROXY_PORT" ;;
    llmproxy-nio) echo "$NIO_PORT" ;;
    servlet-floor) echo "$SERVLET_FLOOR_PORT" ;;
    jetty-proxy-floor) echo "$JETTY_FLOOR_PORT" ;;
    engine-floor) echo "$ENGINE_FLOOR_PORT" ;;
    engine-virtual-floor) echo "$VIRTUAL_FLOOR_PORT" ;;
  esac
}
path_of() {
  case $1 in direct | nginx) echo /v1/messages ;; *) echo /proxy/anthropic/v1/messages ;; esac
}

write_wrk_scripts() {
  cat >"$OUT/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}]}'
wrk.headers["content-type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.headers["x-api-key"] = os.getenv("BENCH_TOKEN") or ""
EOF
  # Paced: each connection waits 5 ms between requests (about 3,000 requests/s at 16
  # connections), so latency is the hop's, not a queue's.
  { cat "$OUT/post.lua"; echo 'function delay() return 5 end'; } >"$OUT/paced.lua"
}

# wrk's latency figures in microseconds.
to_micros() {
  awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); print v+0 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v*1000 } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000000 } }'
}

# CPU time (clock ticks, user + system) of a process and its children's threads; nginx's
# workers are its children.
cpu_ticks() { # pid
  local pid total=0
  [ -n "$1" ] || { echo 0; return; }
  for pid in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# Each thread's context switches, as "tid count" lines for a process and its children (nginx's
# workers): voluntary ones (the thread blocked and had to be woken) and involuntary ones (it was
# preempted).
thread_switches() { # pid
  local pid
  [ -n "$1" ] || return 0
  for pid in "$1" $(pgrep -P "$1" || true); do
    grep -H ctxt_switches /proc/"$pid"/task/*/status 2>/dev/null || true
  done | awk -F'[/:]' '{n[$5] += $NF} END {for (tid in n) print tid, n[tid]}'
}

# Context switches between two snapshots of thread_switches. A thread that ended in between is
# left out (its count went with it); one that started counts from zero.
switches_between() { # before after
  awk 'NR == FNR {seen[$1] = $2; next} {n += $2 - ($1 in seen ? seen[$1] : 0)} END {print n + 0}' \
    <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}

run_wrk() { # target connections script duration file
  local out hop0 mock0 hop1 mock1 cs0 cs1 requests tick_us
  hop0=$(cpu_ticks "${HOP_PID[$1]:-}")
  mock0=$(cpu_ticks "$MOCK_PID")
  cs0=$(thread_switches "${HOP_PID[$1]:-}")
  out=$(BENCH_TOKEN="${TOKEN_OF[$1]:-}" wrk -t2 -c"$2" -d"$4"s --latency -s "$3" "$(url_of "$1")")
  cs1=$(thread_switches "${HOP_PID[$1]:-}")
  hop1=$(cpu_ticks "${HOP_PID[$1]:-}")
  mock1=$(cpu_ticks "$MOCK_PID")
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  tick_us=$((1000000 / $(getconf CLK_TCK)))
  {
    # CPU per request: what bounds requests/s on a machine whose cores are all busy.
    if [ "${requests:-0}" -gt 0 ]; then
      if [ -n "${HOP_PID[$1]:-}" ]; then
        echo "hop_cpu_us=$(((hop1 - hop0) * tick_us / requests))"
        echo "hop_switches_per_request=$(awk "BEGIN {printf \"%.2f\", $(switches_between "$cs0" "$cs1") / $requests}")"
      fi
      echo "mock_cpu_us=$(((mock1 - mock0) * tick_us / requests))"
    fi
    echo "rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
    echo "p50_us=$(echo "$out" | awk '$1=="50%" {print $2}' | to_micros)"
    echo "p99_us=$(echo "$out" | awk '$1=="99%" {print $2}' | to_micros)"
    echo "errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {n++} END {print n+0}')"
  } >"$5"
}

run_streams() { # target streams file [events interval-ms ramp-ms]
  local hop_pids="" hop=${HOP_PID[$1]:-}
  # The hop's processes (nginx: master and workers), whose CPU per event StreamLoad reports.
  [ -n "$hop" ] && hop_pids=$(echo "$hop" $(pgrep -P "$hop" || true) | tr ' ' ,)
  "$PROXY_JAVA" -Xss256k -cp "$BENCH_JAR" dev.llmproxy.bench.StreamLoad --port "$(port_of "$1")" \
    --path "$(path_of "$1")" --token "${TOKEN_OF[$1]:-}" --streams "$2" \
    --events "${4:-$STREAM_EVENTS}" --interval-ms "${5:-$STREAM_INTERVAL_MS}" \
    --ramp-ms "${6:-1000}" --hop-pids "$hop_pids" --mock-pid "$MOCK_PID" \
    --clk-tck "$(getconf CLK_TCK)" >"$3"
}

# The proxy's heap in use, in KiB, from G1's "garbage-first heap ... used 84261K" or ZGC's
# "ZHeap used 44M" (JAVA_HEAP may choose either).
heap_used_kib() { # pid
  jcmd "$1" GC.heap_info 2>/dev/null | awk '/garbage-first heap|ZHeap/ {
    for (i = 1; i <= NF; i++) if ($i == "used") {
      v = $(i + 1); n = v + 0
      if (v ~ /^[0-9]+M/) n *= 1024; else if (v ~ /^[0-9]+G/) n *= 1048576
      print n; exit
    }
  }'
}

# While streams run through a hop (a separate, unmeasured run: a thread dump stops a JVM for a
# moment): its threads, memory and open files, and whether any container thread is inside the
# proxy. $3 says when every stream is open: StreamLoad's warm-up pass, the ramp, half a stream.
sample_hop() { # target file delay-seconds
  local pid=${HOP_PID[$1]} dump
  sleep "$3"
  dump=$(jcmd "$pid" Thread.print 2>/dev/null || true)
  {
    echo "os_threads=$(awk '/^Threads:/ {print $2}' /proc/"$pid"/status)"
    echo "rss_kib=$(awk '/^VmRSS:/ {print $2}' /proc/"$pid"/status)"
    echo "fds=$(ls /proc/"$pid"/fd | wc -l)"
    echo "container_threads=$(echo "$dump" | grep -c -E '^"(qtp|llmproxy-http)' || true)"
    echo "container_threads_in_proxy=$(echo "$dump" | awk '/^"(qtp|llmproxy-http)/ {q=1; next} /^"/ {q=0} q && /dev\.llmproxy/ {print; q=0}' | grep -c . || true)"
    echo "upstream_client_threads=$(echo "$dump" | grep -c '^"llmproxy-upstream' || true)"
    echo "exchange_platform_threads=$(echo "$dump" | grep -c '^"llmproxy-exchange' || true)"
    echo "virtual_thread_carriers=$(echo "$dump" | grep -c '^"ForkJoinPool-[0-9]*-worker' || true)"
    echo "heap_used_kib=$(heap_used_kib "$pid")"
  } >"$2"
}
# Seconds until every stream of a run_streams pass is open (see sample_hop).
open_after() { # events interval-ms ramp-ms
  awk "BEGIN {print ($1 * $2 + $3 + 1000 + $3 + $1 * $2 / 2 + 500) / 1000}"
}
# The hop's RSS (KiB) and live heap after a full GC, before a sampled run: the baseline of the
# memory an open stream costs.
baseline() { # target file
  local pid=${HOP_PID[$1]}
  jcmd "$pid" GC.run >/dev/null 2>&1 || true
  {
    echo "rss_idle_kib=$(awk '/^VmRSS:/ {print $2}' /proc/"$pid"/status)"
    echo "threads_idle=$(awk '/^Threads:/ {print $2}' /proc/"$pid"/status)"
    echo "heap_idle_kib=$(heap_used_kib "$pid")"
  } >"$2"
}

# Open streams at scale: each Java hop in a fresh JVM with SCALE_HEAP, warmed with 1,000 streams
# and 10 s of wrk; nginx and direct as they are. Per run and target: the baseline, then
# SCALE_STREAMS streams sampled while all are open.
scale_streams() {
  local limit streams run target dir
  limit=$(ulimit -Hn)
  streams=${SCALE_STREAMS:-$((limit - 1024 < 20000 ? (limit - 1024) / 2 / 500 * 500 : 10000))}
  log "open streams at scale: $streams streams (hard limit on open files: $limit)"
  echo "$streams" >"$OUT/results/scale-streams"
  for run in $(seq 1 "${SCALE_RUNS:-$RUNS}"); do
    for target in "${SCALE_TARGETS[@]}"; do
      dir="$OUT/results/$target"
      mkdir -p "$dir"
      log "scale run $run/$RUNS: $target"
      case $target in
        llmproxy) stop_hop llmproxy; start_proxy llmproxy "$PROXY_PORT" blocking "${SCALE_HEAP[@]}" ;;
        llmproxy-nio) stop_hop llmproxy-nio; start_proxy llmproxy-nio "$NIO_PORT" nonblocking "${SCALE_HEAP[@]}" ;;
        *-floor) stop_hop "$target"; start_floor "$target" "${SCALE_HEAP[@]}" ;;
      esac
      if [ -n "${HOP_PID[$target]:-}" ] && [ "$target" != nginx ]; then
        run_wrk "$target" 64 "$OUT/post.lua" 10 /dev/null
        run_streams "$target" 1000 /dev/null 10 100 1000
        baseline "$target" "$dir/scalebase.$run"
        sample_hop "$target" "$dir/scalesample.$run" \
          "$(open_after "$SCALE_EVENTS" "$SCALE_INTERVAL_MS" "$SCALE_RAMP_MS")" &
        local sampler=$!
      fi
      run_streams "$target" "$streams" "$dir/scale.$run" "$SCALE_EVENTS" "$SCALE_INTERVAL_MS" \
        "$SCALE_RAMP_MS" || log "$target: the stream client failed"
      [ -n "${sampler:-}" ] && { wait "$sampler" || true; unset sampler; }
      if [ -n "${HOP_PID[$target]:-}" ] && [ "$target" != nginx ]; then
        echo "peak_rss_kib=$(awk '/^VmHWM:/ {print $2}' /proc/"${HOP_PID[$target]}"/status)" >>"$dir/scalesample.$run"
        echo "heap_peak_kib=$(peak_heap_kib "$target")" >>"$dir/scalesample.$run"
        stop_hop "$target" # its idle upstream connections must not crowd the next hop's out
      fi
    done
  done
}
# The largest heap in use any G1 pause reported (KiB), from the hop's GC log if it has one.
peak_heap_kib() { # target
  local log=${GC_LOG[$1]:-}
  [ -n "$log" ] && [ -f "$log" ] || { echo NaN; return; }
  sed -n 's/.* \([0-9]*\)M->[0-9]*M([0-9]*M).*/\1/p' "$log" | sort -n | tail -1 | awk '{print $1 * 1024}'
}

# A 32 MiB body held by the mock for 4 s; live heap measured (after a full GC) before and during.
body_probe() { # file
  local body="$OUT/body32.json"
  {
    printf '{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"'
    head -c $((32 * 1024 * 1024 - 200)) /dev/zero | tr '\0' 'a'
    printf '"}]}'
  } >"$body"
  local size
  size=$(stat -c %s "$body")
  live_heap() { jcmd "${HOP_PID[llmproxy]}" GC.run >/dev/null; heap_used_kib "${HOP_PID[llmproxy]}"; }
  local before during status
  before=$(live_heap)
  curl -s -o /dev/null -w '%{http_code}' -X POST "$(url_of llmproxy)?hold_ms=4000" \
    -H "x-api-key: ${TOKEN_OF[llmproxy]}" -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' \
    --data-binary @"$body" >"$OUT/body.status" &
  local curl_pid=$!
  sleep 2
  during=$(live_heap)
  wait "$curl_pid" || true
  status=$(cat "$OUT/body.status")
  {
    echo "body_bytes=$size"
    echo "status=$status"
    echo "live_heap_before_kib=$before"
    echo "live_heap_during_kib=$during"
  } >"$1"
  rm -f "$body"
}

main() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  install_tools
  mkdir -p "$OUT/results"
  log "results in $OUT; proxy on $("$PROXY_JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
  start_mock
  start_nginx
  write_wrk_scripts
  case " $PHASES " in *" main "*) main_phase ;; esac
  case " $PHASES " in *" scale "*) scale_streams ;; esac
  java -cp "$BENCH_JAR" dev.llmproxy.bench.LoadReport "$OUT/results" | tee "$OUT/report.md"
}

main_phase() {
  start_proxy llmproxy "$PROXY_PORT" blocking "${JAVA_HEAP[@]}"
  start_proxy llmproxy-nio "$NIO_PORT" nonblocking "${JAVA_HEAP[@]}"
  start_floors
  local targets=(direct nginx llmproxy llmproxy-nio)
  local floors=("${FLOORS[@]}")
  log "warming up: direct and nginx for $DURATION s, each Java hop for $WARMUP s (JIT)"
  for target in direct nginx; do
    run_wrk "$target" 64 "$OUT/post.lua" "$DURATION" /dev/null
    run_streams "$target" 100 /dev/null
  done
  # llmproxy's warm-up in 10 s slices: the report shows how long it takes to reach steady state.
  local slice hop
  for hop in llmproxy llmproxy-nio; do
    mkdir -p "$OUT/results/$hop"
    for slice in $(seq 1 $(((WARMUP + 9) / 10))); do
      run_wrk "$hop" 64 "$OUT/post.lua" 10 "$OUT/results/$hop/warmup.$(printf %02d "$slice")"
    done
    run_streams "$hop" 100 /dev/null
  done
  for target in "${floors[@]}"; do
    [ "$WARMUP" -gt 0 ] && run_wrk "$target" 64 "$OUT/post.lua" "$WARMUP" /dev/null
    [ "$target" = servlet-floor ] || run_streams "$target" 100 /dev/null
  done
  for run in $(seq 1 "$RUNS"); do
    for target in "${targets[@]}" "${floors[@]}"; do
      local dir="$OUT/results/$target"
      mkdir -p "$dir"
      log "run $run/$RUNS: $target"
      run_wrk "$target" 16 "$OUT/post.lua" "$DURATION" "$dir/c16.$run"
      run_wrk "$target" 64 "$OUT/post.lua" "$DURATION" "$dir/c64.$run"
      run_wrk "$target" 16 "$OUT/paced.lua" "$DURATION" "$dir/paced16.$run"
      # The servlet floor holds a thread per stream from a 200-thread pool: not comparable.
      [ "$target" = servlet-floor ] && continue
      run_streams "$target" 100 "$dir/s100.$run"
      run_streams "$target" 1000 "$dir/s1000.$run"
    done
  done
  local delay
  delay=$(open_after "$STREAM_EVENTS" "$STREAM_INTERVAL_MS" 1000)
  for hop in llmproxy llmproxy-nio; do
    log "1,000 streams through $hop, sampling its threads and memory"
    baseline "$hop" "$OUT/results/$hop/base1000.1"
    sample_hop "$hop" "$OUT/results/$hop/threads.1" "$delay" &
    local sampler=$!
    run_streams "$hop" 1000 "$OUT/results/$hop/sampled-streams"
    wait "$sampler"
  done
  log "32 MiB request body"
  body_probe "$OUT/results/llmproxy/body"
  {
    echo "peak_rss_kib=$(awk '/^VmHWM:/ {print $2}' /proc/"${HOP_PID[llmproxy]}"/status)"
    echo "java=$("$PROXY_JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
    echo "heap=${JAVA_HEAP[*]}"
  } >"$OUT/results/llmproxy/process"
  cp "${GC_LOG[llmproxy]}" "$OUT/results/llmproxy/gc.log"
  # Their pooled upstream connections would count against the mock's open files at scale.
  for hop in llmproxy llmproxy-nio "${floors[@]}"; do stop_hop "$hop"; done
}

main "$@"
