#!/usr/bin/env bash
# Is a long recording's memory bounded by its settings, not by run time? Runs the soak workload (CPU hogs,
# ping-pong, a monitor ring, socket echo, sleepers, thread churn: scripts/soak.sh) for MINUTES twice at
# once, on the stock JVM and under the agent with profile= and the given options, and every INTERVAL
# seconds forces a full GC in both (jcmd GC.run) and prints the heap in use after it, side by side.
# Holds the benchmark lock for the whole run.
#   scripts/profile-memory.sh MINUTES [INTERVAL] [AGENT_OPTIONS]
#   e.g. scripts/profile-memory.sh 10 30 profile.threads=2000,profile.slices=65536
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:?usage: scripts/profile-memory.sh MINUTES [INTERVAL] [AGENT_OPTIONS]}"
interval="${2:-30}"
extra="${3:-}"
[[ -f agent/target/preempt-agent.jar && -f samples/target/preempt-samples.jar ]] || ./preempt build
java_home="$(./preempt jdk)"
out="$PWD/target/profile-memory"
rm -rf "$out" && mkdir -p "$out"
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
exec 9>/tmp/preempt-bench.lock
flock 9
"$java_home/bin/java" -cp samples/target/preempt-samples.jar dev.preempt.samples.soak.Soak "$seconds" > "$out/stock.log" 2>&1 &
stock=$!
"$java_home/bin/java" "-javaagent:agent/target/preempt-agent.jar=profile=$out/report.html${extra:+,$extra}" \
  -cp samples/target/preempt-samples.jar dev.preempt.samples.soak.Soak "$seconds" > "$out/agent.log" 2>&1 &
agent=$!
used() { # pid -> MiB in use after a full GC
  "$java_home/bin/jcmd" "$1" GC.run > /dev/null 2>&1 || return 0
  "$java_home/bin/jcmd" "$1" GC.heap_info 2>/dev/null | awk '/ used /{ for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); printf "%.1f", v / 1024; exit } }'
}
printf '%8s %12s %12s\n' seconds stock_MiB agent_MiB
for ((t = interval; t < seconds; t += interval)); do
  sleep "$interval"
  printf '%8d %12s %12s\n' "$t" "$(used $stock)" "$(used $agent)"
done
s=0; wait $stock || s=$?
a=0; wait $agent || a=$?
echo "soak exit: stock $s, agent $a (logs in $out)"
