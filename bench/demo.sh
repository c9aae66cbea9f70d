#!/usr/bin/env bash
# Time from nothing to a served demo: `paddock demo` on a fresh folder, until the server
# answers and the three boards are computed; then the same again on the folder it built
# (reuse). Prints each phase of the build and the total against the 60 s target.
#
#   bench/demo.sh                 # build/release/paddock, a fresh folder under $TMPDIR
#   PADDOCK=path/to/paddock bench/demo.sh
#
# Needs a release build (cmake --preset release && cmake --build --preset release).
set -euo pipefail
cd "$(dirname "$0")/.."
paddock=${PADDOCK:-build/release/paddock}
[[ -x $paddock ]] || { echo "bench/demo.sh: no $paddock; build the release preset first" >&2; exit 2; }
target_s=60

work=$(mktemp -d "${TMPDIR:-/tmp}/paddock-bench-demo-XXXXXX")
server=""
cleanup() {
  if [[ -n $server ]]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Waits until GET $1 answers 200 (boards answer 202 while they are computed first).
wait_for() {
  local url=$1 deadline=$(( $(date +%s) + 300 ))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url" || true) == 200 ]]; do
    if ! kill -0 "$server" 2>/dev/null; then echo "bench/demo.sh: paddock demo exited:" >&2; cat "$work/log" >&2; exit 1; fi
    (( $(date +%s) < deadline )) || { echo "bench/demo.sh: $url never answered 200" >&2; exit 1; }
    sleep 0.05
  done
}

# One run: start paddock demo, wait for it to listen and for every board; print timings.
run() {
  local label=$1 start listening boards
  start=$(now)
  "$paddock" demo --dir "$work/paddock-demo" --listen "127.0.0.1:$port" 2>"$work/log" &
  server=$!
  wait_for "$base/healthz"
  listening=$(since "$start")
  for track in t2v i2v t2v-audio; do wait_for "$base/api/leaderboard?track=$track"; done
  boards=$(since "$start")
  echo "$label"
  grep -E '^  (render|import|generate|votes|reveal) ' "$work/log" | sed 's/^/  /' || true
  printf '    %-50s %8s s\n' "serving (GET /healthz answers)" "$listening"
  printf '    %-50s %8s s\n' "three boards computed (GET /api/leaderboard 200)" "$boards"
  printf '    %-50s %8s   (%s of the %d s target)\n' "total" "$boards s" \
    "$(awk -v t="$boards" -v g="$target_s" 'BEGIN { printf "%.2f", t / g }')" "$target_s"
  kill -TERM "$server"; wait "$server" || true; server=""
}

echo "bench/demo.sh: $("$paddock" --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
run "fresh folder (nothing built yet):"
run "second run (reuses the folder):"
