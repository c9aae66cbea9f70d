#!/usr/bin/env bash
# paddock generate's own overhead: 1,000 jobs against the fake vendor server
# (tests/generate/fake_vendors, DashScope's protocol, in memory: no --state) whose tasks
# finish at the first poll. Prints jobs per second, paddock's CPU seconds per job and its
# peak memory, and the fake's CPU beside them: paddock must never be the bottleneck of a
# run (real tasks take minutes; here each job is a submit, a poll, a download, an import).
#
#   bench/generate.sh                     # 1000 jobs, 16 in flight
#   JOBS=200 CONCURRENCY=8 bench/generate.sh
#   PADDOCK=path/to/paddock bench/generate.sh
#
# Needs a release build, node, ffmpeg and GNU time (/usr/bin/time, Debian's "time").
set -euo pipefail
cd "$(dirname "$0")/.."
paddock=${PADDOCK:-build/release/paddock}
jobs=${JOBS:-1000}
concurrency=${CONCURRENCY:-16}
[[ -x $paddock ]] || { echo "bench/generate.sh: no $paddock; build the release preset first" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench/generate.sh: needs GNU time (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/paddock-bench-generate-XXXXXX")
fake=""
cleanup() {
  if [[ -n $fake ]]; then kill -TERM "$fake" 2>/dev/null || true; wait "$fake" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/fake-media"
ffmpeg -v error -y -f lavfi -i "testsrc2=size=320x180:rate=24:duration=3" -c:v libx264 -preset veryfast \
  -pix_fmt yuv420p -movflags +faststart "$work/fake-media/clip.mp4"

# The fake, on a free port; its stdin stays open (a fifo held by this script).
mkfifo "$work/fake-stdin"
exec 3<>"$work/fake-stdin"
node tests/generate/fake_vendors/server.mjs --media "$work/fake-media" --port 0 \
  --key dashscope=sk-bench-key <&3 >"$work/fake.out" 2>"$work/fake.err" &
fake=$!
for _ in $(seq 100); do [[ -s $work/fake.out ]] && break; sleep 0.05; done
port=$(sed -n 's/.*"port": *\([0-9]*\).*/\1/p' "$work/fake.out")
[[ -n $port ]] || { echo "bench/generate.sh: the fake did not start" >&2; cat "$work/fake.err" >&2; exit 1; }
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
  -d '{"vendor": "dashscope", "polls_before_done": 0, "times": -1}' "http://127.0.0.1:$port/_control/behaviour"

{
  echo '{"kind": "track", "id": "bench", "task": "text-to-video", "duration_s": 3, "width": 320, "height": 180}'
  echo '{"kind": "model", "id": "hh", "display_name": "HappyHorse-1.0", "generation": {"provider": "ds", "model": {"text-to-video": "happyhorse-1.0-t2v"}}}'
  for i in $(seq "$jobs"); do
    printf '{"kind": "prompt", "track": "bench", "id": "p%05d", "text": "bench prompt %d"}\n' "$i" "$i"
  done
} >"$work/catalog.jsonl"
cat >"$work/gen.toml" <<TOML
[providers.ds]
protocol = "dashscope"
base_url = "http://127.0.0.1:$port/dashscope"
key_env = "BENCH_DASHSCOPE_KEY"
allow_addresses = ["127.0.0.1"]
concurrency = $concurrency
requests_per_second = 0
poll_interval_s = 0.001
[providers.ds.prices."happyhorse-1.0-t2v"]
per_second = { "720P" = 0.14 }
TOML
(cd "$work" && "$OLDPWD/$paddock" import catalog.jsonl >/dev/null)

fake_cpu() { awk '{ print ($14 + $15) / 100 }' "/proc/$fake/stat"; }
fake_before=$(fake_cpu)
start=$(date +%s.%N)
(cd "$work" && BENCH_DASHSCOPE_KEY=sk-bench-key /usr/bin/time -f '%U %S %M' -o time.out \
  "$OLDPWD/$paddock" generate --track bench --all --config gen.toml >generate.out 2>generate.err) || {
  echo "bench/generate.sh: paddock generate failed:" >&2; tail -20 "$work/generate.out" "$work/generate.err" >&2; exit 1; }
end=$(date +%s.%N)
fake_after=$(fake_cpu)
read -r user sys rss_kb <"$work/time.out"
stored=$(grep -o '[0-9]* stored' "$work/generate.out" | head -1 | cut -d' ' -f1)

awk -v jobs="$jobs" -v stored="$stored" -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" \
    -v user="$user" -v sys="$sys" -v rss="$rss_kb" -v fake="$(awk -v a="$fake_before" -v b="$fake_after" 'BEGIN{print b-a}')" \
    -v conc="$concurrency" -v version="$("$paddock" --version)" -v cores="$(nproc)" \
    -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  cpu = user + sys
  printf "bench/generate.sh: %s, %d cores, load %s\n", version, cores, load
  printf "  %d jobs (%d stored), %d in flight, instant tasks on the fake DashScope\n", jobs, stored, conc
  printf "    %-44s %10.1f s\n", "wall time", wall
  printf "    %-44s %10.1f jobs/s\n", "throughput", jobs / wall
  printf "    %-44s %10.2f ms CPU (user %.1f s + sys %.1f s)\n", "paddock per job", cpu * 1000 / jobs, user, sys
  printf "    %-44s %10.1f MiB\n", "paddock peak memory (max RSS)", rss / 1024
  printf "    %-44s %10.2f ms CPU\n", "the fake server per job", fake * 1000 / jobs
  printf "    %-44s %10.0f %%\n", "paddock busy (CPU / wall, of one core)", cpu / wall * 100
  printf "  at %.2f ms of CPU a job, one core could drive %d jobs a minute (a real task takes 30-300 s)\n", cpu * 1000 / jobs, 60000 / (cpu * 1000 / jobs)
}'
