#!/usr/bin/env bash
# Benchmark of `paddock rate` (issue 15's targets) and of the Python reference method.
# Builds nothing: uses build/release/paddock (cmake --preset release && cmake --build --preset release).
#
#   bench/rate.sh                     both parts
#   bench/rate.sh --only large        10M votes / 100 models / 1000 rounds vs the targets
#   bench/rate.sh --only reference    1M votes: paddock vs bench/reference/bt_reference.py
#
# Logs are generated once into bench/out/ (about 1.3 GB for 10M votes) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

paddock=build/release/paddock
out=bench/out
only=${2:-}
[[ ${1:-} == --only ]] || only=""
large_votes=10000000
reference_votes=1000000
models=100
rounds=1000
target_seconds=1.5        # 10M votes, 100 models, 1000 rounds, parsing included, 2 cores
target_mb=1024
target_speedup=50         # 1M votes, 1000 rounds: times the reference's wall time
target_memory_share=0.1   # ... with at most this share of the reference's peak memory

[[ -x $paddock ]] || { echo "rate.sh: $paddock is missing; build the release preset first" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "rate.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$out"

simulate() {  # votes file
  if [[ ! -s $2 ]]; then
    echo "generating $1 votes over $models models into $2 ..."
    "$paddock" simulate --models "$models" --votes "$1" --seed 1 --track t2v \
      --categories portrait=0.3,landscape=0.25,animals=0.15,motion=0.2,text=0.1 \
      --category-spread 20 --multi-category 0.1 -o "$2"
  fi
  cat "$2" > /dev/null  # into the page cache, so the runs measure parsing, not the disk
}

# Runs a command under /usr/bin/time -v; sets wall (s), cpu (user + system, s) and rss (MB)
# from its report.
measure() {  # report-file command...
  local report=$1
  shift
  /usr/bin/time -v -o "$report" "$@"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$report")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$report")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$report")
}

verdict() {  # value limit
  awk -v v="$1" -v l="$2" 'BEGIN { print (v < l) ? "ok" : "MISSED" }'
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ -z $only || $only == large ]]; then
  log=$out/votes-10m.jsonl
  simulate $large_votes "$log"
  echo
  echo "== paddock rate: $large_votes votes, $models models, $rounds bootstrap rounds (JSON Lines)"
  echo "\$ $paddock rate $log --bootstrap $rounds --timings --format json"
  measure "$out/time-10m.txt" "$paddock" rate "$log" --bootstrap $rounds --timings --format json \
    > "$out/board-10m.json" 2> "$out/timings-10m.txt"
  cat "$out/timings-10m.txt"
  echo "wall ${wall} s (target < ${target_seconds} s: $(verdict "$wall" $target_seconds)), CPU ${cpu} s, peak memory ${rss} MB (target < ${target_mb} MB: $(verdict "$rss" $target_mb))"
  echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

if [[ -z $only || $only == reference ]]; then
  log=$out/votes-1m.jsonl
  simulate $reference_votes "$log"
  echo
  echo "== $reference_votes votes, $rounds rounds: paddock vs the Python reference (pandas + scipy L-BFGS-B, 2 processes)"
  measure "$out/time-1m-paddock.txt" "$paddock" rate "$log" --bootstrap $rounds --timings --format json \
    > "$out/board-1m.json" 2> "$out/timings-1m.txt"
  paddock_wall=$wall paddock_rss=$rss paddock_cpu=$cpu
  cat "$out/timings-1m.txt"
  measure "$out/time-1m-reference.txt" /usr/bin/python3 bench/reference/bt_reference.py "$log" \
    --rounds $rounds --processes 2 > "$out/reference-1m.json"
  reference_wall=$wall reference_rss=$rss reference_cpu=$cpu
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timings"]; print("reference timings: " + ", ".join(f"{k} {v:.3f} s" for k, v in t.items()))' "$out/reference-1m.json"
  echo "paddock:   wall ${paddock_wall} s, CPU ${paddock_cpu} s, peak memory ${paddock_rss} MB"
  echo "reference: wall ${reference_wall} s, CPU ${reference_cpu} s (pool processes included), peak memory ${reference_rss} MB (largest process)"
  awk -v p="$paddock_wall" -v r="$reference_wall" -v t="$target_speedup" \
    'BEGIN { printf "speed-up: %.1fx (target >= %dx: %s)\n", r / p, t, (r / p >= t) ? "ok" : "MISSED" }'
  awk -v p="$paddock_cpu" -v r="$reference_cpu" 'BEGIN { printf "speed-up in CPU time: %.1fx\n", r / p }'
  awk -v p="$paddock_rss" -v r="$reference_rss" -v t="$target_memory_share" \
    'BEGIN { printf "memory: %.3f of the reference (target <= %.1f: %s)\n", p / r, t, (p / r <= t) ? "ok" : "MISSED" }'
  echo "load after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/python3 bench/reference/compare.py "$out/board-1m.json" "$out/reference-1m.json"
fi
