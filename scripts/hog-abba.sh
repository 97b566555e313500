#!/usr/bin/env bash
# Total CPU work of N CPU-bound virtual threads on C carriers, stock JVM against one or more agent jars,
# in rotating order (stock, A, B, ..., then reversed), R rounds. Prints each run and the medians as ratios
# against stock. Holds /tmp/preempt-bench.lock so that no other benchmark runs beside it.
#   scripts/hog-abba.sh [-n hogs] [-c carriers] [-s seconds] [-r rounds] [-o options] agent.jar [agent2.jar ...]
set -euo pipefail
cd "$(dirname "$0")/.."
hogs=8 carriers=2 seconds=3 rounds=4 options=""
while getopts n:c:s:r:o: f; do
  case $f in n) hogs=$OPTARG;; c) carriers=$OPTARG;; s) seconds=$OPTARG;; r) rounds=$OPTARG;; o) options=$OPTARG;; *) exit 2;; esac
done
shift $((OPTIND - 1))
(( $# >= 1 )) || { echo "usage: $0 [-n hogs] [-c carriers] [-s seconds] [-r rounds] [-o options] agent.jar..." >&2; exit 2; }
java="$(./preempt jdk)/bin/java"
bench=benchmarks/target/preempt-benchmarks.jar
[[ -f $bench ]] || { echo "build first: ./preempt build" >&2; exit 1; }
sides=(stock "$@")
run() { # $1: stock or a jar; prints the total work and the work per CPU-second the JVM used over the window (all its threads)
  local side=$1 args=()
  if [[ $side == stock ]]; then
    args=(-Djdk.virtualThreadScheduler.parallelism="$carriers" -Djdk.virtualThreadScheduler.maxPoolSize="$carriers")
  else
    args=("-javaagent:$side=carriers=$carriers${options:+,$options}")
  fi
  local line cpu
  line=$("$java" "${args[@]}" -cp "$bench" dev.preempt.bench.HogWorkload shares "$hogs" "$seconds" 2>/dev/null | grep 'work=')
  cpu=$(sed -n 's/.*cpu_ms=\([0-9]*\).*/\1/p' <<<"$line")
  sed 's/.*work=//' <<<"$line" | tr ',' '\n' | awk -F: -v cpu="$cpu" '{s += $2} END {printf "%d %d\n", s, s * 1000 / (cpu > 0 ? cpu : 1)}'
}
declare -A results efficiency
exec 9>/tmp/preempt-bench.lock
flock 9
for ((r = 0; r < rounds; r++)); do
  order=("${sides[@]}")
  if (( r % 2 == 1 )); then order=(); for ((i = ${#sides[@]} - 1; i >= 0; i--)); do order+=("${sides[i]}"); done; fi
  for side in "${order[@]}"; do
    read -r w e < <(run "$side"); results[$side]+="$w "; efficiency[$side]+="$e "
    echo "round $r $side work $w per-cpu-second $e"
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {printf "%d\n", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
# Work is what the hogs got done in the wall time; work per CPU-second discounts the CPU that other
# programs on a shared machine took, so it shows the agent's own cost even when the machine is busy.
for what in results efficiency; do
  declare -n table=$what
  stock=$(echo "${table[stock]}" | median)
  echo "== ${what/results/work in ${seconds} s}"; [[ $what == efficiency ]] && echo "   (work per CPU-second)"
  for side in "${sides[@]}"; do
    m=$(echo "${table[$side]}" | median)
    printf '%-40s median %12.0f  %.3fx stock  runs: %s\n' "$side" "$m" "$(echo "$m / $stock" | bc -l)" "${table[$side]}"
  done
done
