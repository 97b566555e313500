#!/usr/bin/env bash
# The loop-kernel suite (LoopKernelBench), stock against the agent, in two Compare runs of opposite order
# (stock first, then agent first: an ABBA pair), each under the shared bench lock; then the ratios of the
# medians of every measured iteration, with each run's own ratio as the spread.
#   scripts/loop-kernels-abba.sh [AGENT_JAR] [OUT_DIR] [REGEX] [AGENT_OPTIONS]
# AGENT_OPTIONS (k=v,...) go to the agent side: jdk.polls=off measures the suite without the JDK's polls.
set -euo pipefail
cd "$(dirname "$0")/.."
agent="${1:-agent/target/preempt-agent.jar}"
out="${2:-benchmarks/target/results/loops}"
regex="${3:-LoopKernelBench}"
options=(); [[ -n "${4:-}" ]] && options=(--options "$4")
java="$(./preempt jdk)/bin/java"
bench="${BENCH_JAR:-benchmarks/target/preempt-benchmarks.jar}"
lock=/tmp/preempt-bench.lock
mkdir -p "$out"
for order in ab ba; do
  extra=(); [[ "$order" == ba ]] && extra=(--agent-first)
  flock "$lock" "$java" -Dbench.ratios=/dev/null -cp "$bench" dev.preempt.bench.Compare --agent "$agent" --short --sample --forks 1 \
    "${extra[@]}" "${options[@]}" --out "$out/$order" "$regex" > "$out/$order.log" 2>&1
done
python3 scripts/median-ratios.py "$out/ab" "$out/ba"
