#!/usr/bin/env bash
# Attacks on a 50,000-vote arena with the defences off and on (issue 14; docs/voter-scoring.md).
# Runs `paddock simulate --arena` (the server's catalog and pick_pairing in the loop, uniform
# pairing as the server's default, and at the end the arena's own voter review,
# arena/voter_review.hpp) on the same seeds for each strategy, and prints per strategy the
# target's shift against half its 95% interval (the honest board's) with every vote counted
# (off) and with the flagged voters' votes voided (on), the places it gained, the attacker's
# votes flagged, and the honest voters wrongly flagged. Target: the targeted attack (1,000
# votes, identification accuracy 0.9) moves its model by less than half its 95% interval
# with the defences on. Builds nothing: uses build/release/paddock.
#
#   bench/defences.sh                    20 arenas per strategy
#   ARENAS=50 SEED=1000 bench/defences.sh
#   ARENAS=3 bench/defences.sh           a quick look (the careless rows with watch weighting last)
set -euo pipefail
cd "$(dirname "$0")/.."

paddock=build/release/paddock
arenas=${ARENAS:-20}
seed=${SEED:-1}
[[ -x $paddock ]] || { echo "defences.sh: $paddock is missing; build the release preset first" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Every arena: 12 models (realistic_models), 50,000 votes, 30% of the honest voters noisy
# (half the discernment, twice the ties), honest sessions of about 10 votes each.
common=(simulate --arena --arenas "$arenas" --seed "$seed" --matchmaking uniform
        --max-votes 50000 --keep-going --noisy 0.3)

# A number of the "defences" summary of a report.
field() { jq -r ".defences.$2" "$1"; }

run() {
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  local f=$out/${name//[^A-Za-z0-9]/_}.json
  "$paddock" "${common[@]}" "$@" -o "$f"
  end=$(date +%s.%N)
  printf '%-34s %7.1f %7.1f %6.1f  %6.2f %6.2f  %4s/%-4s  %5s %5s  %5d/%-6d %5.2f%%  %5.2f%%  (%.0f s)\n' \
    "$name" "$(field "$f" median_shift_off)" "$(field "$f" median_shift_on)" "$(field "$f" median_half_interval)" \
    "$(field "$f" median_shift_off_in_half_intervals)" "$(field "$f" median_shift_on_in_half_intervals)" \
    "$(field "$f" arenas_within_half_interval_on)" "$arenas" \
    "$(field "$f" median_rank_shift_off)" "$(field "$f" median_rank_shift_on)" \
    "$(field "$f" dishonest_votes_flagged)" "$(field "$f" dishonest_votes)" \
    "$(jq -r '.defences.honest_session_fpr * 100' "$f")" "$(jq -r '.defences.honest_vote_fpr * 100' "$f")" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')"
}

echo "50,000-vote arenas, 12 models, uniform pairing, $arenas arenas per strategy from seed $seed"
echo "shift: the target's board score minus the honest-only board's (median over arenas, points);"
echo "/half: that shift over half the target's 95% interval (target with defences on: < 1);"
echo "within: arenas where |shift on| < half the interval; places: ranks gained (median)"
printf '%-34s %7s %7s %6s  %6s %6s  %9s  %5s %5s  %12s %6s  %6s\n' \
  strategy "off" "on" "half" "/half" "/half" "within" "plcs" "plcs" "bad flagged" "FPR s" "FPR v"
printf '%-34s %7s %7s %6s  %6s %6s  %9s  %5s %5s  %12s %6s  %6s\n' \
  "" "" "" "" "off" "on" "on" "off" "on" "" "sess." "votes"
run honest-only --review
run "targeted 1000 p=0.9 50 sess/5 pfx" --attack targeted --attack-votes 1000 --accuracy 0.9
run "targeted 1000 p=0.9 200 sess/200 pfx" --attack targeted --attack-votes 1000 --accuracy 0.9 \
  --attack-sessions 200 --attack-prefixes 200
run "targeted 1000 p=0.7 50 sess/5 pfx" --attack targeted --attack-votes 1000 --accuracy 0.7
run "omnipresent 1000 50 sess/5 pfx" --attack omnipresent --attack-votes 1000 --accuracy 0.9
run "omnipresent 3000 50 sess/5 pfx" --attack omnipresent --attack-votes 3000 --accuracy 0.9
run "careless 10% random (target #1)" --careless 0.1 --target video-a
run "careless 10% always-left (#1)" --careless 0.1 --careless-habit left --target video-a

# Careless voters are the watch weighting's to catch (the review does not flag them): the same
# arenas with --watch-weighting 0.25 (95% of honest votes and 10% of careless ones cast after
# watching). err: mean distance of all 12 scores from the honest-only board's (points).
run_watch() {
  local name=$1; shift
  local f=$out/watch_${name//[^A-Za-z0-9]/_}.json
  "$paddock" "${common[@]}" "$@" --watch-weighting 0.25 -o "$f"
  printf '%-34s %6.1f %6.1f %6.1f   %6.2f %6.2f %6.2f   %5.1f%% %5.1f%%\n' "$name" \
    "$(field "$f" median_mean_error_off)" "$(field "$f" median_mean_error_on)" \
    "$(field "$f" median_mean_error_weighted)" \
    "$(field "$f" median_shift_off_in_half_intervals)" "$(field "$f" median_shift_on_in_half_intervals)" \
    "$(field "$f" median_shift_weighted_in_half_intervals)" \
    "$(jq -r '100 * .defences.dishonest_votes_down_weighted / .defences.dishonest_votes' "$f")" \
    "$(jq -r '100 * .defences.honest_votes_down_weighted / .defences.honest_votes' "$f")"
}
echo
echo "watch weighting 0.25 against careless voters: err = mean |score - honest board's| (points),"
echo "/half = the target's shift over half its interval; off, review (voided), watch-weighted"
printf '%-34s %6s %6s %6s   %6s %6s %6s   %6s %6s\n' strategy "err" "err" "err" "/half" "/half" "/half" \
  "down" "down"
printf '%-34s %6s %6s %6s   %6s %6s %6s   %6s %6s\n' "" off review weight off review weight careless honest
run_watch "careless 10% random (target #1)" --careless 0.1 --target video-a
run_watch "careless 10% always-left (#1)" --careless 0.1 --careless-habit left --target video-a
run_watch "careless 25% random (target #1)" --careless 0.25 --target video-a

name="targeted 1000 p=0.9 50 sess/5 pfx"
f=$out/${name//[^A-Za-z0-9]/_}.json
awk -v r="$(field "$f" median_shift_on_in_half_intervals)" -v w="$(field "$f" arenas_within_half_interval_on)" \
    -v n="$arenas" -v fpr="$(jq -r '.defences.honest_session_fpr' "$out/honest_only.json")" 'BEGIN {
  printf "targeted 1000 votes, p=0.9, defences on: median shift %.2f half-intervals, %d/%d arenas within (target < 1: %s)\n",
    r, w, n, ((r < 1 && r > -1) ? "met" : "MISSED")
  printf "honest sessions flagged without any attack: %.2f%% (target <= 1%%: %s)\n", 100 * fpr, (fpr <= 0.01 ? "met" : "MISSED")
}'

# Attention checks (docs/voter-scoring.md): a share of battles are controls, an intact clip
# against a broken copy; a session that misses more of them than an honest voter would
# (p <= 1%, honest voters assumed to miss 1 in 10) is flagged. Careless voters are 10% of
# the voters; every session casts about 50 votes (the checks need some per session). Per
# run: careless sessions flagged by l_z and bias alone, by the checks, by either (of those
# that voted), and honest sessions flagged by the checks (of those that saw any).
echo
echo "attention checks: careless 10% of voters, sessions of ~50 votes, $arenas arenas from seed $seed"
printf '%-36s %14s %14s %14s %16s\n' run "careless l_z" "careless chk" "careless any" "honest chk FPR"
checks() {
  local name=$1; shift
  local f=$out/checks_${name//[^A-Za-z0-9]/_}.json
  "$paddock" "${common[@]}" --votes-per-session 50 --careless 0.1 --target video-a "$@" -o "$f"
  jq -r --arg n "$name" '.defences as $d | $d.attention_checks as $a |
    [$n,
     "\($d.dishonest_sessions_flagged)/\($a.dishonest_sessions)",
     "\($a.dishonest_sessions_failed)/\($a.dishonest_sessions)",
     "\($a.dishonest_sessions_flagged_either)/\($a.dishonest_sessions)",
     "\($a.honest_sessions_failed)/\($a.honest_sessions_checked) \(($a.honest_session_fpr * 10000 | round) / 100)%"]
    | "\(.[0] | .+ (" " * (36 - length))) \(.[1] | (" " * (14 - length)) + .) \(.[2] | (" " * (14 - length)) + .) \(.[3] | (" " * (14 - length)) + .) \(.[4] | (" " * (16 - length)) + .)"' "$f"
}
checks "always-left, no checks" --careless-habit left
checks "always-left, 2% checks" --careless-habit left --control-share 0.02
checks "always-left, 5% checks" --careless-habit left --control-share 0.05
checks "always-left, 10% checks" --careless-habit left --control-share 0.1
checks "random, 5% checks" --careless-habit random --control-share 0.05
