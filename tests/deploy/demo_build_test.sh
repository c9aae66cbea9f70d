#!/usr/bin/env bash
# scripts/demo, the README's first command, builds only what the demo runs: it names its
# targets (a bare `cmake --build` built every test and benchmark first: 431 s from a fresh
# clone on 2 cores), each one exists, and nothing they need is a test, a benchmark or a
# fuzz target. Asked of the build tree's own ninja files, so a target that starts to need
# test code fails here too. Skipped (exit 77) where the build does not use ninja.
#
#   tests/deploy/demo_build_test.sh scripts/demo BUILD_DIR
set -euo pipefail
script=$1
build=$2

if [[ ! -f $build/build.ninja ]] || ! command -v ninja >/dev/null; then
  echo "$build is not a ninja build: skipped"
  exit 77
fi

build_line=$(grep -E '^[^#]*cmake --build' "$script" || true)
if [[ -z $build_line ]]; then
  echo "$script runs no cmake --build"
  exit 1
fi
# The words after --target (or -t), up to the next option.
read -r -a words <<<"$build_line"
targets=()
for ((i = 0; i < ${#words[@]}; i++)); do
  if [[ ${words[i]} == --target || ${words[i]} == -t ]]; then
    for ((j = i + 1; j < ${#words[@]}; j++)); do
      [[ ${words[j]} == -* ]] && break
      targets+=("${words[j]}")
    done
  fi
done
if ((${#targets[@]} == 0)); then
  echo "$script builds every target: name the program and its pages (--target ...)"
  echo "  $build_line"
  exit 1
fi
echo "scripts/demo builds: ${targets[*]}"

for target in "${targets[@]}"; do
  if ! ninja -C "$build" -t query "$target" >/dev/null 2>&1; then
    echo "no target \"$target\" in $build"
    exit 1
  fi
done

# Every file the targets need, however indirectly.
inputs=$(ninja -C "$build" -t inputs "${targets[@]}")
count=$(wc -l <<<"$inputs")
strays=$(grep -E '(_test|_slow_test|_bench)(\.|/|$)|(^|/)(tests|bench|fuzz)/|gtest|gmock|benchmark' \
  <<<"$inputs" || true)
if [[ -n $strays ]]; then
  echo "the demo's targets need test, benchmark or fuzz files:"
  head -20 <<<"$strays"
  exit 1
fi
echo "ok: $count inputs, none a test, benchmark or fuzz file"
