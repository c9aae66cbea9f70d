#!/usr/bin/env bash
# Votes needed to settle the top 5, adaptive matchmaking against uniform (issue 14's target:
# at least 2x fewer). Runs `paddock simulate --arena` (the server's own catalog and
# pick_pairing in the loop, docs/matchmaking.md) on the same seeds with each mode and prints
# the median, the quartiles and the extremes of each, and the ratio of the medians.
# Builds nothing: uses build/release/paddock.
#
#   bench/matchmaking.sh                 200 arenas per mode
#   ARENAS=50 SEED=1000 bench/matchmaking.sh
set -euo pipefail
cd "$(dirname "$0")/.."

paddock=build/release/paddock
arenas=${ARENAS:-200}
seed=${SEED:-1}
target=2
[[ -x $paddock ]] || { echo "matchmaking.sh: $paddock is missing; build the release preset first" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The summary numbers of one report: median p25 p75 min max settled unsettled.
summary() {
  sed -n '/"summary"/,/}/p' "$1" | tr -d ' ,"' |
    awk -F: '{v[$1]=$2} END {print v["median"], v["p25"], v["p75"], v["min"], v["max"], v["settled"], v["unsettled"]}'
}

echo "12 models (realistic_models: top gaps 20-25 points, two late, one anonymous until vote 5000)"
echo "settled = the true top 5 in order with disjoint adjacent 95% intervals; $arenas arenas per mode, seeds $seed.."
for mode in uniform adaptive; do
  start=$(date +%s.%N)
  "$paddock" simulate --arena --arenas "$arenas" --seed "$seed" --matchmaking "$mode" -o "$out/$mode.json"
  end=$(date +%s.%N)
  read -r median p25 p75 min max settled unsettled < <(summary "$out/$mode.json")
  printf '%-9s median %7.0f votes   quartiles %7.0f .. %7.0f   range %7.0f .. %7.0f   settled %s/%s   (%.1f s)\n' \
    "$mode" "$median" "$p25" "$p75" "$min" "$max" "$settled" "$arenas" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')"
  eval "median_$mode=$median"
done
awk -v u="$median_uniform" -v a="$median_adaptive" -v t="$target" 'BEGIN {
  r = u / a
  printf "uniform / adaptive median votes: %.2fx (target >= %gx: %s)\n", r, t, (r >= t ? "met" : "MISSED")
}'
