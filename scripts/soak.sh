#!/usr/bin/env bash
# Soak: mixed CPU hogs, park/unpark pairs, a monitor token ring, loopback socket echo, random sleepers and
# thread churn, all plain platform threads, run under the agent for MINUTES; checks that every thread ends,
# that nothing stops making progress (no lost wake-up) and that the counters add up. Exits 1 on a violation.
#   scripts/soak.sh MINUTES [AGENT_OPTIONS]      e.g.  scripts/soak.sh 30 carriers=1,slice=1ms
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:?usage: scripts/soak.sh MINUTES [AGENT_OPTIONS]}"
options="${2:-}"
[[ -f agent/target/preempt-agent.jar && -f samples/target/preempt-samples.jar ]] || ./preempt build
java_home="$(./preempt jdk)"
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
exec "$java_home/bin/java" "-javaagent:agent/target/preempt-agent.jar${options:+=$options}" \
  -cp samples/target/preempt-samples.jar dev.preempt.samples.soak.Soak "$seconds"
