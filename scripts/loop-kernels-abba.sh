#!/usr/bin/env bash
# The loop-kernel suite (LoopKernelBench), stock against one or more agent jars, the sides alternating fork
# by fork: per kernel, ROUNDS rounds (default 2) of one fork per side, the order reversed every other round
# (stock, agent, agent, stock: ABBA within the kernel), under the shared bench lock CHUNK kernels at a time
# (default 8: about 3.5 minutes a hold with one agent at 2 rounds), so other engineers' runs interleave; then
# the table (scripts/fork-ratios.py): the median fork per side, their ratio, each round's ratio as the spread.
#   scripts/loop-kernels-abba.sh [AGENTS] [OUT_DIR] [REGEX] [AGENT_OPTIONS]
# AGENTS: a jar, or LABEL=JAR[,LABEL=JAR...] to compare several agents against stock in the same rounds
# (main=/tmp/main.jar,new=agent/target/preempt-agent.jar). AGENT_OPTIONS (k=v,...) go to the agent sides:
# jdk.polls=off measures the suite without the JDK's polls. OUT_DIR/forks.tsv is started afresh unless
# APPEND=1 (to add kernels run by another invocation).
set -euo pipefail
cd "$(dirname "$0")/.."
agents="${1:-agent/target/preempt-agent.jar}"
out="${2:-benchmarks/target/results/loops}"
regex="${3:-LoopKernelBench}"
options=(); [[ -n "${4:-}" ]] && options=(--options "$4")
rounds="${ROUNDS:-2}"
java="$(./preempt jdk)/bin/java"
bench="${BENCH_JAR:-benchmarks/target/preempt-benchmarks.jar}"
lock=/tmp/preempt-bench.lock
agent_args=()
IFS=, read -ra list <<< "$agents"
for a in "${list[@]}"; do agent_args+=(--agent "$a"); done
mkdir -p "$out"
[[ "${APPEND:-0}" == 1 ]] || rm -f "$out/forks.tsv" "$out/run.log"
mapfile -t kernels < <("$java" -cp "$bench" org.openjdk.jmh.Main -l "$regex" | grep '^dev\.')
[[ ${#kernels[@]} -gt 0 ]] || { echo "loop-kernels-abba.sh: no benchmark matches '$regex'" >&2; exit 2; }
chunk="${CHUNK:-8}"
for ((at = 0; at < ${#kernels[@]}; at += chunk)); do
  names=("${kernels[@]:at:chunk}")
  alternation="$(IFS='|'; echo "${names[*]}")"
  echo "$(date -u +%H:%M:%S) ${#names[@]} kernels from ${names[0]##*.} (load $(cut -d' ' -f1 /proc/loadavg))"
  flock "$lock" sh -c 'echo "hold from $(date -u +%T), load $(cut -d" " -f1-3 /proc/loadavg)"; "$@"; echo "hold to $(date -u +%T), load $(cut -d" " -f1-3 /proc/loadavg)"' hold \
    "$java" -Dbench.ratios=/dev/null -cp "$bench" dev.preempt.bench.CompareByFork "${agent_args[@]}" \
    "${options[@]}" --rounds "$rounds" --out "$out" "($alternation)\$" >> "$out/run.log" 2>&1
done
grep '^hold' "$out/run.log" || true
python3 scripts/fork-ratios.py "$out/forks.tsv"
