#!/usr/bin/env bash
# How fast `paddock import` stores clips: N clips of mixed encodings (H.264 baseline 24 fps,
# H.264 High 30 fps at twice the size, VP9 25 fps in WebM; with sound) imported into a
# fresh database with the house encoding (the default), and with --remux; prints clips/s
# for each and the ratio. The clips are made by ffmpeg first (not timed).
#
#   bench/import.sh                      # 48 clips of 5 s at 640x360
#   bench/import.sh -n 96 -d 5 -s 1280x720 -j 2
#   PADDOCK=path/to/paddock bench/import.sh
#
# Needs a release build (cmake --preset release && cmake --build --preset release) and the
# ffmpeg tool.
set -euo pipefail
cd "$(dirname "$0")/.."
paddock=${PADDOCK:-build/release/paddock}
[[ -x $paddock ]] || { echo "bench/import.sh: no $paddock; build the release preset first" >&2; exit 2; }

clips=48 duration=5 size=640x360 jobs=""
while getopts "n:d:s:j:" opt; do
  case $opt in
    n) clips=$OPTARG ;;
    d) duration=$OPTARG ;;
    s) size=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: bench/import.sh [-n clips] [-d seconds] [-s WxH] [-j jobs]" >&2; exit 2 ;;
  esac
done
width=${size%x*} height=${size#*x}

work=$(mktemp -d "${TMPDIR:-/tmp}/paddock-bench-import-XXXXXX")
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

# Three vendors' encodings of distinct pictures, one clip per (prompt, model).
mkdir -p "$work/catalog/sources"
{
  echo "{\"kind\": \"track\", \"id\": \"t\", \"task\": \"text-to-video\", \"audio\": true, \"duration_s\": $duration, \"width\": $width, \"height\": $height}"
  for m in base high vp9; do echo "{\"kind\": \"model\", \"id\": \"$m\", \"display_name\": \"$m\"}"; done
} >"$work/catalog/prompts.jsonl"
made=0 prompt=0
while (( made < clips )); do
  prompt=$((prompt + 1))
  p=$(printf 'p%03d' "$prompt")
  echo "{\"kind\": \"prompt\", \"track\": \"t\", \"id\": \"$p\", \"text\": \"prompt $p\"}" >>"$work/catalog/prompts.jsonl"
  mkdir -p "$work/catalog/t/$p"
  for m in base high vp9; do
    (( made < clips )) || break
    src="testsrc2=size=${width}x${height}:duration=$duration"
    case $m in
      base) out=$p/base.mp4; args=(-c:v libx264 -preset veryfast -profile:v baseline -r 24 -c:a aac -ac 1 -ar 44100) ;;
      high) out=$p/high.mp4; src="testsrc2=size=$((width * 2))x$((height * 2)):duration=$duration"
            args=(-c:v libx264 -preset veryfast -profile:v high -crf 18 -r 30 -c:a aac -ac 2) ;;
      vp9)  out=$p/vp9.webm; args=(-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 1M -r 25 -c:a libopus) ;;
    esac
    ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "$src,hue=h=$((prompt * 37 % 360))" \
      -f lavfi -i "sine=frequency=$((200 + prompt * 10)):duration=$duration" -pix_fmt yuv420p \
      "${args[@]}" -t "$duration" "$work/catalog/t/$out"
    made=$((made + 1))
  done
done

# One import into a fresh database and media folder; prints the seconds it took.
import_seconds() {
  local name=$1; shift
  local start end
  start=$(now)
  "$paddock" import --db "$work/$name.db" --media "$work/$name-media" ${jobs:+--jobs "$jobs"} "$@" \
    "$work/catalog" >"$work/$name.out" 2>"$work/$name.err" \
    || { echo "bench/import.sh: paddock import $* failed:" >&2; cat "$work/$name.out" "$work/$name.err" >&2; exit 1; }
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

echo "bench/import.sh: $("$paddock" --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  $clips clips of ${duration} s (sources ${size} and twice it; H.264 baseline, H.264 High, VP9), jobs: ${jobs:-one per core}"
house=$(import_seconds house)
remux=$(import_seconds remux --remux)
awk -v n="$clips" -v h="$house" -v r="$remux" -v w="$width" -v ht="$height" -v d="$duration" 'BEGIN {
  printf "  %-34s %7.2f s  %7.2f clips/s  (%.1f x real time)\n", "house encoding (default)", h, n / h, n * d / h
  printf "  %-34s %7.2f s  %7.2f clips/s\n", "--remux", r, n / r
  printf "  %-34s %7.1f x\n", "remux / house (clips/s)", (n / r) / (n / h)
}'
