# Sourced by the server benchmarks: a free port, and a catalog of real clips to import.

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
