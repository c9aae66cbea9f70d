# Sourced by the server benchmarks (run.sh, multi.sh): a free port, a catalog of real clips
# to import, and what every run does with a `paddock serve` and wrk's reports.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# make_catalog DIR MODELS PROMPTS WIDTH HEIGHT SECONDS [ffmpeg encoder flags...]: a folder
# layout (docs/import-format.md) of MODELS x PROMPTS H.264 clips on track "bench", each model
# tinted its own hue so no two clips share their bytes.
make_catalog() {
  local dir=$1 models=$2 prompts=$3 width=$4 height=$5 seconds=$6
  shift 6
  mkdir -p "$dir/bench"
  {
    echo "{\"kind\":\"track\",\"id\":\"bench\",\"name\":\"Benchmark\",\"task\":\"text-to-video\",\"duration_s\":$seconds,\"width\":$width,\"height\":$height}"
    for m in $(seq 1 "$models"); do
      echo "{\"kind\":\"model\",\"id\":\"m$m\",\"display_name\":\"Model $m\",\"organization\":\"Org $m\",\"status\":\"public\"}"
    done
    for p in $(seq -w 1 "$prompts"); do
      echo "{\"kind\":\"prompt\",\"track\":\"bench\",\"id\":\"p$p\",\"text\":\"Prompt $p\",\"categories\":[\"c$((10#$p % 3))\"]}"
    done
  } >"$dir/prompts.jsonl"
  for p in $(seq -w 1 "$prompts"); do
    mkdir -p "$dir/bench/p$p"
    for m in $(seq 1 "$models"); do
      ffmpeg -loglevel error -f lavfi -i "testsrc2=size=${width}x${height}:rate=24:duration=$seconds" \
        -vf "hue=h=$((m * 40 + 10#$p * 7))" -c:v libx264 -preset ultrafast "$@" -pix_fmt yuv420p \
        -movflags +faststart "$dir/bench/p$p/m$m.mp4"
    done
  done
}

# listening_port LOG: the port a `paddock serve` logging to LOG says it listens on, once it
# has said so (up to 10 s); fails if it never does.
listening_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$1" | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && { echo "$port"; return 0; }
    sleep 0.05
  done
  return 1
}

# session_cookie URL: a voter session from the server at URL (the cookie its first battle
# sets), as NAME=VALUE.
session_cookie() {
  curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"track":"bench"}' \
    "$1/api/battles" | grep -i '^set-cookie:' | sed 's/^[Ss]et-[Cc]ookie: *//; s/;.*//'
}

# drain_battles URL: waits until the server at URL has written every battle it issued (the
# recorder runs behind under load), so one run's background work does not slow the next.
drain_battles() {
  for _ in $(seq 1 600); do
    local pending
    pending=$(curl -s "$1/metrics" | awk '/^paddock_battles_pending /{print $2}')
    [[ ${pending:-1} == 0 ]] && return
    sleep 0.1
  done
  echo "$(basename "$0"): battles still pending after 60 s"
}

# wrk_figures FILE: "requests/s p50 p99" (latencies in ms) from a wrk --latency report.
wrk_figures() {
  python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m: return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
print(f"{rps:.0f} {ms('50%'):.2f} {ms('99%'):.2f}")
EOF
}
