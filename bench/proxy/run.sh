#!/usr/bin/env bash
# Proxy benchmarks (issue #4): nginx as a fixed-answer OpenAI upstream on 127.0.0.1, measured
# directly, through a minimal Deno proxy (the floor of any Deno proxy) and through llmux with
# --workers 1 and 2, in one run:
#   1. non-streaming: wrk at fixed concurrency, and a paced client at a fixed rate
#   2. streaming: 1,000 concurrent streams of 200 chunks (TTFT, errors, peak RSS), 100
#      sequential streams (TTFT without contention), and 1,000 paced streams (≈ 8 s each)
#      started over 1 s, so that all are open at once
#   3. cold start to the first served request, idle RSS (own loop), startup breakdown (hyperfine)
# then prints the summary tables. Everything binds 127.0.0.1; every load run is bounded.
#
#   bash bench/proxy/run.sh
#
# Knobs (environment): DURATION=10 (s per measured load run), WARMUP=3, CONNS=50, RATE=1000,
# STREAMS=1000, CHUNKS=200, SEQ_STREAMS=100, RAMP_MS=1000, COLD_RUNS=10, KEEP=1 (keep the temp dir),
# PROFILE=1 (also write CPU profiles of llmux --workers 1 under load into the temp dir).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
BENCH=$ROOT/bench/proxy
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNS=${CONNS:-50}
RATE=${RATE:-1000}
STREAMS=${STREAMS:-1000}
CHUNKS=${CHUNKS:-200}
SEQ_STREAMS=${SEQ_STREAMS:-100}
RAMP_MS=${RAMP_MS:-1000}
COLD_RUNS=${COLD_RUNS:-10}
DENO=${DENO:-deno}

# --- tools ---------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
[[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]] || missing+=(libnginx-mod-http-echo)
if ((${#missing[@]})); then
  echo "installing ${missing[*]} with apt" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# --- temp dir, cleanup -----------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/llmux-proxy-bench.XXXXXX")
chmod 755 "$TMP" # nginx's workers (not root) read the SSE file under it
RESULTS=$TMP/results/results.txt
COMMANDS=$TMP/results/commands.txt
FLOOR_PID=""
PROXY_PIDS=()
cleanup() {
  set +e
  for pid in "${PROXY_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  [[ -n $FLOOR_PID ]] && kill -TERM "$FLOOR_PID" 2>/dev/null && wait "$FLOOR_PID" 2>/dev/null
  if [[ -f $TMP/nginx/nginx.pid ]]; then
    kill -TERM "$(cat "$TMP/nginx/nginx.pid")" 2>/dev/null
    for _ in $(seq 50); do [[ -f $TMP/nginx/nginx.pid ]] || break; sleep 0.05; done
  fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$("$DENO" run -A "$BENCH/setup.ts" --dir "$TMP" --chunks "$CHUNKS")"
: >"$RESULTS"

# Record a command (with the temp dir shown as $TMP) in commands.txt; `run` also runs it.
record() {
  local shown="$*"
  shown=${shown//$TMP/\$TMP}
  shown=${shown//$ROOT\//}
  echo "$shown" >>"$COMMANDS"
  echo "+ $shown" >&2
}
run() {
  record "$@"
  "$@"
}

cpu_ms_of() { # comma-separated pids → their user+system CPU in ms
  local total=0 pid t
  for pid in ${1//,/ }; do
    t=$(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo $((total * 10))
}
machine_busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
cpu_snapshot() { # "pid ticks" for every process: own + waited-for children's CPU
  local f
  for f in /proc/[0-9]*/stat; do
    awk '{ sub(/^.*\) /, ""); print FILENAME, $12 + $13 + $14 + $15 }' "$f" 2>/dev/null
  done | sed 's#^/proc/\([0-9]*\)/stat#\1#'
}
machine_busy_pct() { # over 1 s
  local b0 b1
  b0=$(machine_busy_ticks)
  sleep 1
  b1=$(machine_busy_ticks)
  echo $(((b1 - b0) / $(nproc)))
}

wait_http() { # url [timeout s]
  local deadline=$((SECONDS + ${2:-15}))
  until curl -sf -o /dev/null "$1"; do
    ((SECONDS < deadline)) || { echo "timed out waiting for $1" >&2; return 1; }
    sleep 0.02
  done
}

# --- nginx -------------------------------------------------------------------------------------
run nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log"
wait_http "http://127.0.0.1:$NGINX_PORT/health"

DIRECT_URL=http://127.0.0.1:$NGINX_PORT/v1/chat/completions
DIRECT_STREAM_URL=http://127.0.0.1:$NGINX_PORT/stream/v1/chat/completions
DIRECT_PACED_URL=http://127.0.0.1:$NGINX_PORT/paced/v1/chat/completions
PROXY_URL=http://127.0.0.1:$PROXY_PORT/v1/chat/completions
FLOOR_URL=http://127.0.0.1:$FLOOR_PORT/v1/chat/completions

# llmux with --workers N. If the N listeners do not come up (at HEAD, Deno.serve's reusePort
# needs --unstable-net, which server.ts does not get nor pass to its workers), fall back to what
# --workers N amounts to: N processes `LLMUX_WORKER=1 … server.ts` (each binds with reusePort),
# started with --unstable-net. The summary says when that happened.
start_proxy() { # workers [extra deno flags…]
  local workers=$1
  shift
  local cmd=("$DENO" run -A "$@" server.ts --config "$TMP/llmux.yaml" --host 127.0.0.1
    --port "$PROXY_PORT" --workers "$workers" --shutdown-timeout 2)
  record "${cmd[@]}"
  "${cmd[@]}" >>"$TMP/llmux-w$workers.log" 2>&1 &
  PROXY_PIDS=($!)
  if wait_listeners "$workers"; then return 0; fi
  stop_proxy
  echo "!! --workers $workers did not bring up $workers listeners; emulating it (see $TMP/llmux-w$workers.log)" >&2
  local reason
  reason=$(grep -m1 -E 'Unstable|rror' "$TMP/llmux-w$workers.log" | sed 's/\x1b\[[0-9;]*m//g' |
    tr -d '"\\`' | tr -cd '[:print:]' | cut -c1-200 || true)
  echo "RESULT emulated-w$workers {\"reason\":\"${reason:-workers did not listen}\"}" >>"$RESULTS"
  local i
  for ((i = 0; i < workers; i++)); do
    cmd=(env LLMUX_WORKER=1 LLMUX_WORKER_INDEX="$i" "$DENO" run -A --unstable-net "$@" server.ts
      --config "$TMP/llmux.yaml" --host 127.0.0.1 --port "$PROXY_PORT" --shutdown-timeout 2)
    record "${cmd[@]}"
    "${cmd[@]}" >>"$TMP/llmux-w$workers.log" 2>&1 &
    PROXY_PIDS+=($!)
  done
  wait_listeners "$workers"
}
wait_listeners() { # n: wait until n sockets listen on the proxy port and it answers
  local deadline=$((SECONDS + 15))
  until (($(ss -Hltn "sport = :$PROXY_PORT" | wc -l) >= $1)) &&
    curl -sf -o /dev/null "http://127.0.0.1:$PROXY_PORT/health/liveliness"; do
    ((SECONDS < deadline)) || return 1
    local pid
    for pid in "${PROXY_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || return 1; done
    sleep 0.05
  done
}
stop_proxy() {
  local pid
  for pid in "${PROXY_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PROXY_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Workers a supervisor spawned: wait until the port is free.
  local deadline=$((SECONDS + 10))
  while (($(ss -Hltn "sport = :$PROXY_PORT" | wc -l) > 0)) && ((SECONDS < deadline)); do sleep 0.05; done
  PROXY_PIDS=()
}
proxy_pids() { # every process of the proxy (workers a process spawned included), comma-separated
  local all=() queue=("${PROXY_PIDS[@]}") pid
  while ((${#queue[@]})); do
    pid=${queue[0]}
    queue=("${queue[@]:1}")
    all+=("$pid")
    for child in $(pgrep -P "$pid" || true); do queue+=("$child"); done
  done
  local IFS=,
  echo "${all[*]}"
}

wrk_run() { # label url [server pids]
  wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$BENCH/post.lua" "$2" >/dev/null
  local c0 c1
  c0=$(cpu_ms_of "${3:-}")
  run wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$BENCH/post.lua" "$2" >"$TMP/results/wrk-$1.txt"
  c1=$(cpu_ms_of "${3:-}")
  sed -n "s/^WRK_JSON /RESULT wrk-$1 /p" "$TMP/results/wrk-$1.txt" | tee -a "$RESULTS"
  echo "RESULT wrkcpu-$1 {\"server_cpu_ms\":$((c1 - c0))}" >>"$RESULTS"
}
rate_run() { # label url [server pids]
  run "$DENO" run -A "$BENCH/rate.ts" --url "$2" --label "rate-$1" --rate "$RATE" \
    --duration "$DURATION" --warmup 2 ${3:+--pids "$3"} | tee -a "$RESULTS"
}
streams_run() { # label url [pids]
  run "$DENO" run -A "$BENCH/streams.ts" --url "$2" --label "streams-$1" --streams "$STREAMS" \
    --chunks "$CHUNKS" ${3:+--pids "$3"} --timeout 90 | tee -a "$RESULTS"
  run "$DENO" run -A "$BENCH/streams.ts" --url "$2" --label "seq-$1" --sequential "$SEQ_STREAMS" \
    --chunks "$CHUNKS" --timeout 60 | tee -a "$RESULTS"
}
paced_run() { # label url [pids]
  # The same number of streams, started over RAMP_MS, from an upstream that paces its events
  # (one every 40 ms, ≈ 8 s a stream): all of them open at once, as under real LLM traffic.
  run "$DENO" run -A "$BENCH/streams.ts" --url "$2" --label "paced-$1" --streams "$STREAMS" \
    --chunks "$CHUNKS" --model bench-paced --ramp-ms "$RAMP_MS" ${3:+--pids "$3"} --timeout 90 |
    tee -a "$RESULTS"
}

# Other work on the machine skews every figure: wait (bounded) for a quiet second, and measure
# how much CPU other processes used during the run (machine busy time minus this script's
# children; nginx, a daemon, counts as "other" but uses little).
quiet_deadline=$((SECONDS + ${QUIET_WAIT:-60}))
until (($(machine_busy_pct) < 15)) || ((SECONDS >= quiet_deadline)); do
  echo "waiting for the machine to be quiet…" >&2
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if TREE=$(git rev-parse --short HEAD 2>/dev/null); then
  git diff --quiet HEAD -- src server.ts deno.json || TREE+=" + uncommitted changes in src/, server.ts or deno.json"
else
  TREE="not a git checkout: $ROOT"
fi
cpu_snapshot >"$TMP/cpu0.txt"
RUN_START=$SECONDS
echo "== load average before the run: $LOAD_BEFORE" >&2

# --- 1 + 2: direct to nginx ------------------------------------------------------------------
NGINX_PIDS="$(cat "$TMP/nginx/nginx.pid"),$(pgrep -P "$(cat "$TMP/nginx/nginx.pid")" | paste -sd,)"
wrk_run direct "$DIRECT_URL" "$NGINX_PIDS"
rate_run direct "$DIRECT_URL" "$NGINX_PIDS"
streams_run direct "$DIRECT_STREAM_URL"
paced_run direct "$DIRECT_PACED_URL"

# --- the floors: minimal Deno proxies ----------------------------------------------------------
# floor: the bodies pass through untouched (Deno hands the upstream body to the server without
# JavaScript); floor-js: the least a proxy that reads what it forwards does (the JSON read as text,
# the stream through one JavaScript ReadableStream read with BYOB into a reused buffer).
# A fresh process for each group of runs, so each peak RSS is that run's own.
floor_target() { # label [floor.ts flags…]
  local label=$1
  shift
  local cmd=("$DENO" run -A "$BENCH/floor.ts" --port "$FLOOR_PORT" --upstream "http://127.0.0.1:$NGINX_PORT" "$@")
  local step
  for step in requests streams paced; do
    record "${cmd[@]}"
    "${cmd[@]}" >>"$TMP/$label.log" 2>&1 &
    FLOOR_PID=$!
    wait_http "http://127.0.0.1:$FLOOR_PORT/"
    case $step in
      requests)
        wrk_run "$label" "$FLOOR_URL" "$FLOOR_PID"
        rate_run "$label" "$FLOOR_URL" "$FLOOR_PID"
        ;;
      streams) streams_run "$label" "$FLOOR_URL" "$FLOOR_PID" ;;
      paced) paced_run "$label" "$FLOOR_URL" "$FLOOR_PID" ;;
    esac
    kill -TERM "$FLOOR_PID" 2>/dev/null || true
    wait "$FLOOR_PID" 2>/dev/null || true
  done
  FLOOR_PID=""
}
floor_target floor
floor_target floor-js --through-js

# --- through llmux, 1 and 2 workers ------------------------------------------------------------
for workers in 1 2; do
  prof=()
  if [[ ${PROFILE:-0} == 1 && $workers == 1 ]]; then
    prof=(--cpu-prof "--cpu-prof-dir=$TMP/prof-nonstreaming")
  fi
  start_proxy "$workers" "${prof[@]}"
  wrk_run "llmux-w$workers" "$PROXY_URL" "$(proxy_pids)"
  rate_run "llmux-w$workers" "$PROXY_URL" "$(proxy_pids)"
  stop_proxy
  # A fresh process for the streams and another for the paced streams, so each peak RSS is
  # that run's own.
  [[ ${#prof[@]} -gt 0 ]] && prof=(--cpu-prof "--cpu-prof-dir=$TMP/prof-streaming")
  start_proxy "$workers" "${prof[@]}"
  streams_run "llmux-w$workers" "$PROXY_URL" "$(proxy_pids)"
  stop_proxy
  [[ ${#prof[@]} -gt 0 ]] && prof=(--cpu-prof "--cpu-prof-dir=$TMP/prof-paced")
  start_proxy "$workers" "${prof[@]}"
  paced_run "llmux-w$workers" "$PROXY_URL" "$(proxy_pids)"
  stop_proxy
done

# --- 3: cold start -------------------------------------------------------------------------------
run "$DENO" run -A "$BENCH/coldstart.ts" --config "$TMP/llmux.yaml" --runs "$COLD_RUNS" \
  --label coldstart | tee -a "$RESULTS"
record hyperfine -N --warmup 2 --runs "$COLD_RUNS" --export-json "$TMP/results/hyperfine.json" \
  "'$DENO eval 0'" "'$DENO run -A server.ts --version'" \
  "'$DENO run -A server.ts --config $TMP/llmux.yaml --check'"
hyperfine -N --warmup 2 --runs "$COLD_RUNS" --export-json "$TMP/results/hyperfine.json" \
  "$DENO eval 0" \
  "$DENO run -A server.ts --version" \
  "$DENO run -A server.ts --config $TMP/llmux.yaml --check" >/dev/null

# --- where the time goes: the layers in one process ------------------------------------------
run "$DENO" run -A "$BENCH/layers.ts" --config "$TMP/llmux.yaml" \
  --upstream "http://127.0.0.1:$NGINX_PORT" --n 2000 --n-streams 300 | tee -a "$RESULTS"

# --- other load during the run ------------------------------------------------------------------
# CPU of every other process (with the children it reaped) between the start and the end of the
# run: this script, its children and nginx excluded. Processes that exited together with their
# parent during the run are missed, so this is a lower bound.
cpu_snapshot >"$TMP/cpu1.txt"
ELAPSED=$((SECONDS - RUN_START))
OTHERS_MS=$(awk -v self=$$ -v ng="$(cat "$TMP/nginx/nginx.pid"),${NGINX_PIDS:-}" '
  BEGIN { n = split(ng, a, ","); for (i = 1; i <= n; i++) skip[a[i]] = 1; skip[self] = 1 }
  FNR == NR { t0[$1] = $2; next }
  !($1 in skip) { d = $2 - ($1 in t0 ? t0[$1] : 0); if (d > 0) sum += d }
  END { printf "%d", sum * 10 }' "$TMP/cpu0.txt" "$TMP/cpu1.txt")
echo "RESULT machine {\"elapsed_s\":$ELAPSED,\"others_ms\":$OTHERS_MS,\"cores\":$(nproc),\"load_before\":\"$LOAD_BEFORE\",\"load_after\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$RESULTS"

# --- summary -------------------------------------------------------------------------------------
echo
echo "## llmux proxy benchmarks: $(date -u +%Y-%m-%dT%H:%MZ), $("$DENO" --version | head -1), $(nproc) cores"
echo "tree: $TREE"
echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(hyperfine --version)"
echo
"$DENO" run -A "$BENCH/summary.ts" --results "$RESULTS" --hyperfine "$TMP/results/hyperfine.json" --ramp-ms "$RAMP_MS" |
  sed "s#$TMP#\$TMP#g"
echo
echo "### Commands"
echo
echo '```'
cat "$COMMANDS"
echo '```'
if ls "$TMP"/prof-* >/dev/null 2>&1; then
  for dir in "$TMP"/prof-*; do
    echo
    echo "### CPU profile: $(basename "$dir") (llmux --workers 1)"
    "$DENO" run -A "$BENCH/cpuprof_top.ts" "$dir"/*.cpuprofile --top 25
  done
fi
