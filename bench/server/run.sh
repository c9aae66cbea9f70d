#!/usr/bin/env bash
# The server benchmark (bench/README.md): battles/s and durable votes/s with p50/p99 latency,
# and range-request throughput beside nginx serving the same clips, all with wrk on loopback.
#
#   bench/server/run.sh                      10 s per run, 64 connections
#   DURATION=30s CONNECTIONS=128 bench/server/run.sh
#   RANGE_ROUNDS=5 bench/server/run.sh       range runs alternate paddock and nginx (default 3)
#   PACED_VOTES="64 10" PACED_BATTLES="64 2"  the paced runs: connections, then the pause in ms
#                                            each connection takes between answer and request
#                                            (PACED_VOTES also paces the battle-then-vote run)
#
# Needs build/release/paddock (cmake --preset release && cmake --build --preset release),
# ffmpeg, wrk, nginx, curl and python3. Leaves nothing running and nothing behind.
#
# Besides wrk's figures it prints, for each paddock run, where the time went
# (where_time_went.py): the server's own latency histogram, the CPU time per request of each
# paddock thread, the vote writer's group commits; and the disk's fsync latency around the
# vote run (a durable vote waits for one fsync), measured on the database's file system.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/server"
paddock=${PADDOCK:-$root/build/release/paddock}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-1}
models=${MODELS:-6}
prompts=${PROMPTS:-12}
range_rounds=${RANGE_ROUNDS:-3}
# Besides saturation (every connection sends its next request as soon as it has an answer),
# battles and votes also run paced, near the targets' rates, for the latency below saturation.
read -r paced_battle_connections paced_battle_pause <<<"${PACED_BATTLES:-64 2}"
read -r paced_vote_connections paced_vote_pause <<<"${PACED_VOTES:-64 10}"

for tool in ffmpeg wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (scripts/install-deps)"; exit 1; }
done
[[ -x $paddock ]] || { echo "run.sh: $paddock is missing; build the release preset first"; exit 1; }

work=$(mktemp -d /tmp/paddock-bench.XXXXXX)
chmod 755 "$work"  # nginx workers may run as another user
server_pid=""
nginx_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source "$here/common.sh"

# ---- a catalog of real clips: MODELS x PROMPTS clips of 2 s at 640x360, about 1 MB each ----
echo "== making ${models}x${prompts} clips with ffmpeg"
catalog="$work/catalog"
make_catalog "$catalog" "$models" "$prompts" 640 360 2 -b:v 4M -maxrate 4M -bufsize 1M
"$paddock" import --db "$work/paddock.db" --media "$work/media" "$catalog" >"$work/import.log" 2>&1 ||
  { cat "$work/import.log"; exit 1; }

# ---- paddock serve, rate limits lifted ----
"$paddock" serve --db "$work/paddock.db" --media "$work/media" --listen 127.0.0.1:0 \
  --rate-limits false --log-level info 2>"$work/serve.log" &
server_pid=$!
port=$(listening_port "$work/serve.log") || { cat "$work/serve.log"; exit 1; }
base="http://127.0.0.1:$port"
cookie=$(session_cookie "$base")
export PADDOCK_COOKIE="$cookie" PADDOCK_TRACK=bench
cpu_pid=$server_pid
echo "== load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores, shared" \
  "by wrk, the server under test and anything else running)"

# User + system CPU time of a process and its children (nginx's workers), in clock ticks.
cpu_ticks() {
  local p total=0
  for p in "$1" $(pgrep -P "$1"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
ticks_per_s=$(getconf CLK_TCK)

# "thread-name CPU-ticks run-queue-wait-ns" for every thread of a process (the wait: time
# the thread was ready to run but had no CPU, from /proc/.../schedstat).
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    echo "$(cat "$t/comm" 2>/dev/null) $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)" \
      "$(awk '{print $2}' "$t/schedstat" 2>/dev/null || echo 0)"
  done
}

# The disk's fsync latency, "p50 p99" in ms: what a durable commit cannot beat. fdatasync
# after each 16 KiB append (about one group commit of votes), next to the database.
fsync_latency() {
  python3 - "$work/fsync.probe" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
times = []
for _ in range(300):
    os.write(fd, b"x" * 16384)
    start = time.perf_counter()
    os.fdatasync(fd)
    times.append(time.perf_counter() - start)
os.close(fd)
os.unlink(sys.argv[1])
times.sort()
print(f"{times[len(times) // 2] * 1e3:.2f} {times[int(len(times) * 0.99)] * 1e3:.2f}")
PY
}

# Runs wrk against the server whose pid is $cpu_pid; also writes the server's CPU time per
# request (microseconds) to $work/NAME.cpu, a figure other load on the machine disturbs less
# than requests per second. For paddock, snapshots /metrics and each thread's CPU time
# around the run and prints where the time went; ROUTE is the metrics label of the route.
run_wrk() {  # name, route, then wrk arguments
  local name=$1 route=$2; shift 2
  local before after
  local paddock_run=""
  [[ $cpu_pid == "$server_pid" ]] && paddock_run=1
  if [[ -n $paddock_run ]]; then
    curl -s "$base/metrics" >"$work/$name.metrics0"
    thread_ticks "$cpu_pid" >"$work/$name.threads0"
  fi
  before=$(cpu_ticks "$cpu_pid")
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency "$@" >"$work/$name.txt" 2>&1
  [[ -n ${DRAIN:-} ]] && drain_battles "$base"  # background work the run caused counts too
  after=$(cpu_ticks "$cpu_pid")
  if [[ -n $paddock_run ]]; then
    curl -s "$base/metrics" >"$work/$name.metrics1"
    thread_ticks "$cpu_pid" >"$work/$name.threads1"
  fi
  local requests
  requests=$(grep -o '[0-9]* requests in' "$work/$name.txt" | grep -o '^[0-9]*')
  python3 -c "print(round(($after - $before) / $ticks_per_s * 1e6 / max(1, $requests), 1))" \
    >"$work/$name.cpu"
  grep -E 'battles created|votes stored|range|Non-2xx|Socket errors' "$work/$name.txt" || true
  if [[ -n $paddock_run ]]; then
    python3 "$here/where_time_went.py" "$work/$name" "$route" "$ticks_per_s"
  fi
}

echo "== battles, paced: $paced_battle_connections connections, each pausing" \
  "${paced_battle_pause} ms between answer and request, $duration"
PADDOCK_PAUSE_MS=$paced_battle_pause connections=$paced_battle_connections DRAIN=1 \
  run_wrk battles_paced /api/battles -s "$here/battles.lua" "$base"
read -r _ paced_battles_p50 paced_battles_p99 < <(wrk_figures "$work/battles_paced.txt")
created=$(grep -o 'battles created: [0-9]*' "$work/battles_paced.txt" | grep -o '[0-9]*$')
paced_battles_rps=$(python3 -c "print(round($created / ${duration%s}))")

echo "== battles: POST /api/battles, $connections connections, $duration"
DRAIN=1 run_wrk battles /api/battles -s "$here/battles.lua" "$base"
read -r _ battles_p50 battles_p99 < <(wrk_figures "$work/battles.txt")
created=$(grep -o 'battles created: [0-9]*' "$work/battles.txt" | grep -o '[0-9]*$')
battles_rps=$(python3 -c "print(round($created / ${duration%s}))")  # 201s only

echo "== minting tickets for the vote run"
wrk -t"$wrk_threads" -c"$connections" -d"$duration" -s "$here/battles.lua" "$base" -- \
  mint "$work/tickets" \
  >"$work/mint.txt" 2>&1
grep 'battles created' "$work/mint.txt"
drain_battles "$base"

secs=${duration%s}
echo "== durable votes, paced: $paced_vote_connections connections, each pausing" \
  "${paced_vote_pause} ms between answer and request, $duration"
PADDOCK_PAUSE_MS=$paced_vote_pause connections=$paced_vote_connections \
  run_wrk votes_paced /api/votes -s "$here/votes.lua" "$base" -- "$work/tickets"
read -r _ paced_votes_p50 paced_votes_p99 < <(wrk_figures "$work/votes_paced.txt")
stored=$(grep -o 'votes stored: [0-9]*' "$work/votes_paced.txt" | grep -o '[0-9]*$')
paced_votes_rps=$(python3 -c "print(round($stored / $secs))")

echo "== durable votes: POST /api/votes with those tickets, $connections connections, $duration"
sent=$(grep -o '[0-9]* requests in' "$work/votes_paced.txt" | grep -o '^[0-9]*')
read -r fsync_before_p50 fsync_before_p99 < <(fsync_latency)
run_wrk votes /api/votes -s "$here/votes.lua" "$base" -- "$work/tickets" \
  $((sent + paced_vote_connections + 1))  # tickets the paced run did not reach
read -r fsync_after_p50 fsync_after_p99 < <(fsync_latency)
echo "  disk fsync latency (16 KiB appends) p50 / p99: $fsync_before_p50 / $fsync_before_p99 ms" \
  "before the run, $fsync_after_p50 / $fsync_after_p99 ms after"
read -r votes_rps votes_p50 votes_p99 < <(wrk_figures "$work/votes.txt")
stored=$(grep -o 'votes stored: [0-9]*' "$work/votes.txt" | grep -o '[0-9]*$')
durable_rps=$(python3 -c "print(round($stored / $secs))")

echo "== battles and votes together, paced: $paced_vote_connections connections, each pausing" \
  "${paced_vote_pause} ms before a battle, then voting on it, $duration"
PADDOCK_PAUSE_MS=$paced_vote_pause connections=$paced_vote_connections DRAIN=1 \
  run_wrk mixed_paced /api/votes -s "$here/mixed.lua" "$base"
read -r _ mixed_p50 mixed_p99 < <(wrk_figures "$work/mixed_paced.txt")
read -r mixed_battles mixed_votes <<<"$(grep -o '[0-9]* ([0-9]*/s)' "$work/mixed_paced.txt" |
  grep -o '^[0-9]*' | tr '\n' ' ')"
mixed_battles_rps=$(python3 -c "print(round($mixed_battles / $secs))")
mixed_votes_rps=$(python3 -c "print(round($mixed_votes / $secs))")

# ---- range requests: paddock's /media/c/<token> against nginx serving the same files ----
for _ in $(seq 1 40); do
  curl -s -H "Cookie: $cookie" -H 'Content-Type: application/json' -d '{"track":"bench"}' \
    "$base/api/battles" | python3 -c 'import json,sys; b=json.load(sys.stdin); print(b["left"]["url"]); print(b["right"]["url"])'
done >"$work/paddock_urls.txt"
(cd "$work/media" && find . -type f -name '*.mp4' | sed 's|^\.||') >"$work/nginx_urls.txt"
smallest=$(find "$work/media" -type f -name '*.mp4' -printf '%s\n' | sort -n | head -1)
export PADDOCK_RANGE_BYTES=262144
export PADDOCK_RANGE_MAX_START=$((smallest - PADDOCK_RANGE_BYTES - 1))

nport=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  types { video/mp4 mp4; }
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/media;
  }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$nport/" && break; sleep 0.05; done

# Alternating rounds, so that a change in the machine's other load affects both servers
# alike; the ratio is that of the medians.
range_ratios=()
range_paddock_runs=()
range_nginx_runs=()
for round in $(seq 1 "$range_rounds"); do
  echo "== range requests (256 KiB at random offsets), round $round/$range_rounds: paddock"
  cpu_pid=$server_pid
  run_wrk "range_paddock_$round" /media/c -s "$here/range.lua" "$base" -- "$work/paddock_urls.txt"
  echo "== range requests (256 KiB at random offsets), round $round/$range_rounds:" \
    "nginx $(nginx -v 2>&1 | sed 's/.*\///')"
  cpu_pid=$nginx_pid  # with its workers (cpu_ticks counts children)
  run_wrk "range_nginx_$round" - -s "$here/range.lua" "http://127.0.0.1:$nport" -- \
    "$work/nginx_urls.txt"
  read -r p _ _ < <(wrk_figures "$work/range_paddock_$round.txt")
  read -r n _ _ < <(wrk_figures "$work/range_nginx_$round.txt")
  range_paddock_runs+=("$p")
  range_nginx_runs+=("$n")
  range_ratios+=("$(python3 -c "print(round($p / $n, 2))")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
range_paddock=$(median "${range_paddock_runs[@]}")
range_nginx=$(median "${range_nginx_runs[@]}")
range_cpu_paddock=$(median $(cat "$work"/range_paddock_*.cpu))
range_cpu_nginx=$(median $(cat "$work"/range_nginx_*.cpu))

kill "$server_pid"; wait "$server_pid" || true; server_pid=""
kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""

python3 - <<EOF
b, b50, b99 = $battles_rps, $battles_p50, $battles_p99
v, v50, v99 = $durable_rps, $votes_p50, $votes_p99
pb, pb50, pb99 = $paced_battles_rps, $paced_battles_p50, $paced_battles_p99
pv, pv50, pv99 = $paced_votes_rps, $paced_votes_p50, $paced_votes_p99
bc, vc, rc, rnc = $(cat "$work/battles.cpu"), $(cat "$work/votes.cpu"), $range_cpu_paddock, $range_cpu_nginx
rp, rn = $range_paddock, $range_nginx
print()
print(f"{'':32}{'figure':>12}{'target':>12}")
print(f"{'battles/s':32}{b:>12.0f}{'>= 20000':>12}")
print(f"{'battles p50 / p99 (ms)':32}{b50:>6.2f} /{b99:>5.2f}{'p99 < 10':>12}")
print(f"{'durable votes/s':32}{v:>12.0f}{'>= 5000':>12}")
print(f"{'votes p50 / p99 (ms)':32}{v50:>6.2f} /{v99:>5.2f}{'p99 < 10':>12}")
print("paced, below saturation:")
print(f"{'  battles/s':32}{pb:>12.0f}   ($paced_battle_connections connections, {$paced_battle_pause} ms pauses)")
print(f"{'  battles p50 / p99 (ms)':32}{pb50:>6.2f} /{pb99:>5.2f}{'p99 < 10':>12}")
print(f"{'  durable votes/s':32}{pv:>12.0f}   ($paced_vote_connections connections, {$paced_vote_pause} ms pauses)")
print(f"{'  votes p50 / p99 (ms)':32}{pv50:>6.2f} /{pv99:>5.2f}{'p99 < 10':>12}")
print(f"{'  battles/s + votes/s, together':32}{'$mixed_battles_rps + $mixed_votes_rps':>12}   (each vote on a battle just issued)")
print(f"{'  both kinds p50 / p99 (ms)':32}{$mixed_p50:>6.2f} /{$mixed_p99:>5.2f}")
print(f"{'range requests/s, paddock':32}{rp:>12.0f}   (median of $range_rounds rounds)")
print(f"{'range requests/s, nginx':32}{rn:>12.0f}")
print(f"{'range ratio paddock/nginx':32}{rp / rn:>12.2f}{'>= 0.8':>12}")
print(f"{'  (ratio in each round)':32}{'  '.join('$(echo ${range_ratios[@]})'.split()):>12}")
print(f"{'disk fsync p50 / p99 (ms)':32}{$fsync_before_p50:>6.2f} /{$fsync_before_p99:>5.2f}"
      f"   (a durable vote waits for one)")
print()
print("paddock CPU time per request (all its threads, microseconds):")
print(f"  battle {bc}, durable vote {vc}, 256 KiB range {rc} (nginx, workers included: {rnc})")
print(f"machine load average when done: {open('/proc/loadavg').read().split()[0]} on {__import__('os').cpu_count()} cores")
EOF
