#!/usr/bin/env bash
# What the polls in JDK code (jdk.polls=on, the default) cost, against the stock JVM, with jdk.polls=off as
# the control: each suite in ABBA pairs (scripts/loop-kernels-abba.sh) with the agent's defaults and with
# jdk.polls=off, every run under the shared bench lock. Suites: JdkHotBench (the JDK work itself: regex,
# sorts, big numbers), KernelBench and LoopKernelBench (app kernels, some of which call into the JDK).
#   scripts/jdk-polls-abba.sh [AGENT_JAR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
agent="${1:-agent/target/preempt-agent.jar}"
out="${2:-benchmarks/target/results/jdk-polls}"
for suite in JdkHotBench KernelBench LoopKernelBench; do
  for polls in on off; do
    echo "== $suite, jdk.polls=$polls: agent/stock (ABBA)"
    scripts/loop-kernels-abba.sh "$agent" "$out/$suite-$polls" "$suite" "jdk.polls=$polls"
  done
done
