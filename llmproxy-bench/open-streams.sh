#!/usr/bin/env bash
# Old relay against new, side by side (issue 26): the bare engine (HopFloor engine: exchanges on
# platform threads, OkHttp, blocking relay) and the same engine relaying without a blocked thread
# (HopFloor engine-nio: llmproxy-jetty-client, nonBlockingRelay), alternated round by round on one
# mock upstream. Per round and hop: STREAMS concurrent SSE streams (StreamLoad), with the hop's
# threads, RSS and heap sampled while every stream is open; then requests/s at 64 connections (wrk,
# if installed). Memory per open stream is (RSS while open - RSS before) / STREAMS.
#
#   mvn -B -o package -pl llmproxy-bench -am -DskipTests && bash llmproxy-bench/open-streams.sh
#
# Settings (environment): RUNS (3), STREAMS (1000), STREAM_EVENTS (30), STREAM_INTERVAL_MS
# (500), RAMP_MS (2000), DURATION (10 s per wrk run, after as long a JIT warm-up), JAVA_HEAP
# ("-Xms128m -Xmx256m"), OUT. Each hop runs in a fresh JVM per round, so that the RSS before the
# streams is a baseline; only one hop runs at a time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
STREAMS=${STREAMS:-1000}
STREAM_EVENTS=${STREAM_EVENTS:-30}
STREAM_INTERVAL_MS=${STREAM_INTERVAL_MS:-500}
RAMP_MS=${RAMP_MS:-2000}
DURATION=${DURATION:-10}
read -r -a JAVA_HEAP <<<"${JAVA_HEAP:--Xms128m -Xmx256m}"
OUT=${OUT:-$(mktemp -d /tmp/llmproxy-streams.XXXXXX)}
BENCH_JAR="$ROOT/llmproxy-bench/target/benchmarks.jar"
JAVA=${PROXY_JAVA:-java}
MOCK_PORT=18190
declare -A PORT=([engine]=18191 [engine-nio]=18192)
declare -A PID
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
log() { printf '== %s\n' "$*" >&2; }
await_http() {
  for _ in $(seq 1 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  log "no answer from $1"; return 1
}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p "$OUT"
java -Xms512m -Xmx512m -cp "$BENCH_JAR" dev.llmproxy.bench.MockUpstream "$MOCK_PORT" >"$OUT/mock.log" 2>&1 &
MOCK_PID=$!; PIDS+=($!)
await_http "http://127.0.0.1:$MOCK_PORT/"
start_hop() { # hop: a fresh JVM per round, so that RSS before the streams is a true baseline
  "$JAVA" "${JAVA_HEAP[@]}" -cp "$BENCH_JAR" dev.llmproxy.bench.HopFloor "$1" "${PORT[$1]}" \
    "http://127.0.0.1:$MOCK_PORT" >"$OUT/$1.log" 2>&1 &
  PID[$1]=$!; PIDS+=($!)
  await_http "http://127.0.0.1:${PORT[$1]}/"
}
status_kib() { awk -v k="$2:" '$1 == k {print $2}' /proc/"$1"/status; }
heap_kib() {
  jcmd "$1" GC.heap_info 2>/dev/null | awk '/garbage-first heap/ {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i + 1) + 0; exit}}'
}
sample() { # hop file: while every stream is open (StreamLoad's warm-up pass, the ramp, half a stream)
  local pid=${PID[$1]} stream_ms=$((STREAM_EVENTS * STREAM_INTERVAL_MS))
  sleep "$(awk "BEGIN {print ($stream_ms + $RAMP_MS + 1000 + $RAMP_MS + $stream_ms / 2) / 1000}")"
  {
    echo "threads_open=$(status_kib "$pid" Threads)"
    echo "rss_open_kib=$(status_kib "$pid" VmRSS)"
    echo "heap_open_kib=$(heap_kib "$pid")"
    echo "exchange_threads=$(jcmd "$pid" Thread.print 2>/dev/null | grep -c '^"llmproxy-exchange' || true)"
  } >>"$2"
}
path=/proxy/anthropic/v1/messages
cat >"$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}]}'
wrk.headers["content-type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.headers["x-api-key"] = "bench-token"
LUA
for run in $(seq 1 "$RUNS"); do
  for hop in engine engine-nio; do
    f="$OUT/$hop.$run"
    log "run $run/$RUNS: $hop"
    start_hop "$hop"
    pid=${PID[$hop]}
    # A small warm-up (few threads, so the baseline stays small), then the baseline.
    java -cp "$BENCH_JAR" dev.llmproxy.bench.StreamLoad --port "${PORT[$hop]}" --path "$path" \
      --token bench-token --streams 20 --events 20 --interval-ms 10 --ramp-ms 200 >/dev/null
    jcmd "$pid" GC.run >/dev/null
    { echo "threads_idle=$(status_kib "$pid" Threads)"; echo "rss_idle_kib=$(status_kib "$pid" VmRSS)"; } >"$f"
    sample "$hop" "$f" &
    sampler=$!
    java -cp "$BENCH_JAR" dev.llmproxy.bench.StreamLoad --port "${PORT[$hop]}" --path "$path" \
      --token bench-token --streams "$STREAMS" --events "$STREAM_EVENTS" \
      --interval-ms "$STREAM_INTERVAL_MS" --ramp-ms "$RAMP_MS" --hop-pids "$pid" \
      --mock-pid "$MOCK_PID" --clk-tck "$(getconf CLK_TCK)" >"$f.streams"
    wait "$sampler"
    if command -v wrk >/dev/null; then
      wrk -t2 -c64 -d"$DURATION"s -s "$OUT/post.lua" "http://127.0.0.1:${PORT[$hop]}$path" >/dev/null # JIT
      echo "rps64=$(wrk -t2 -c64 -d"$DURATION"s -s "$OUT/post.lua" "http://127.0.0.1:${PORT[$hop]}$path" | awk '/Requests\/sec/ {print $2}')" >>"$f"
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
for hop in engine engine-nio; do
  echo "## $hop"
  for run in $(seq 1 "$RUNS"); do
    f="$OUT/$hop.$run"
    awk -F= -v s="$STREAMS" '{v[$1] = $2} END {
      printf "run: threads idle %s, open %s (exchange threads %s); RSS idle %d MiB, open %d MiB, per stream %.1f KiB; heap open %d MiB; rps64 %s\n",
        v["threads_idle"], v["threads_open"], v["exchange_threads"], v["rss_idle_kib"] / 1024, v["rss_open_kib"] / 1024,
        (v["rss_open_kib"] - v["rss_idle_kib"]) / s, v["heap_open_kib"] / 1024, v["rps64"] }' "$f"
    grep -E "completed|failed|ttfb|delay|p99|p50" "$f.streams" | head -8 | sed 's/^/    /'
  done
done | tee "$OUT/report.txt"
echo "results in $OUT" >&2
