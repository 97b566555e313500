#!/usr/bin/env bash
# commons-lang3 3.20.0's whole test suite through Surefire, as its own build runs it (its tests jar, its
# test dependencies, -Xmx512m; scripts/lang3-suite/pom.xml), on the stock JVM and under the agent, in
# alternating order (stock, agent, agent, stock, ... for -r pairs). Prints each run's wall time and test
# counts, then the pass sets compared: tests that pass stock and not with the agent, and the reverse.
# Exits 1 if the pass sets differ. Holds the benchmark lock, so it never runs beside a benchmark.
#   scripts/lang3-suite.sh [-r PAIRS] [AGENT_OPTIONS]     e.g.  scripts/lang3-suite.sh -r 1 cfi=audit
# Needs Maven Central (or a filled ~/.m2) the first time. Reports: target/lang3-suite/{stock,agent}-N/.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=1
if [[ "${1:-}" == "-r" ]]; then pairs="$2"; shift 2; fi
options="${1:-}"
[[ -f agent/target/preempt-agent.jar ]] || ./preempt build
java_home="$(./preempt jdk)"
export JAVA_HOME="$java_home" PATH="$java_home/bin:$PATH" MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"
agent="-javaagent:$PWD/agent/target/preempt-agent.jar${options:+=$options}"
out="$PWD/target/lang3-suite"
rm -rf "$out" && mkdir -p "$out"

run() { # side index
  local side="$1" i="$2" arg="" t0 t1
  [[ "$side" == agent ]] && arg="$agent"
  rm -rf scripts/lang3-suite/target/surefire-reports
  t0=$(date +%s.%N)
  flock /tmp/preempt-bench.lock mvn -B -ntp -q -f scripts/lang3-suite/pom.xml test "-Dpreempt.agent=$arg" > "$out/$side-$i.log" 2>&1 || true
  t1=$(date +%s.%N)
  mv scripts/lang3-suite/target/surefire-reports "$out/$side-$i"
  echo "$side-$i $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >> "$out/times"
}

for ((i = 1; i <= pairs; i++)); do
  if (( i % 2 == 1 )); then run stock "$i"; run agent "$i"; else run agent "$i"; run stock "$i"; fi
done

python3 - "$out" "$pairs" <<'PY'
import glob, os, statistics, sys
import xml.etree.ElementTree as ET
out, pairs = sys.argv[1], int(sys.argv[2])
def results(d):
    passed, counts = set(), {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for f in glob.glob(os.path.join(d, "TEST-*.xml")):
        for case in ET.parse(f).getroot().iter("testcase"):
            counts["tests"] += 1
            bad = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
            for tag in bad:
                counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[tag]] += 1
            if not bad:
                passed.add(case.get("classname") + "#" + case.get("name"))
    return passed, counts
times = dict(line.split() for line in open(os.path.join(out, "times")))
sets = {}
for side in ("stock", "agent"):
    runs = []
    for i in range(1, pairs + 1):
        p, c = results(os.path.join(out, f"{side}-{i}"))
        runs.append(p)
        print(f"{side} run {i}: {float(times[f'{side}-{i}']):.1f} s, {c['tests']} tests, {len(p)} passed, "
              f"{c['failures']} failed, {c['errors']} errors, {c['skipped']} skipped")
    sets[side] = set.intersection(*runs)  # passing in every run of that side
st = [float(times[f"stock-{i}"]) for i in range(1, pairs + 1)]
ag = [float(times[f"agent-{i}"]) for i in range(1, pairs + 1)]
print(f"wall time: stock median {statistics.median(st):.1f} s, agent median {statistics.median(ag):.1f} s, "
      f"ratio {statistics.median(ag) / statistics.median(st):.2f} (pairs: "
      + ", ".join(f"{a / s:.2f}" for a, s in zip(ag, st)) + ")")
lost, gained = sorted(sets["stock"] - sets["agent"]), sorted(sets["agent"] - sets["stock"])
print(f"pass only stock: {len(lost)}" + "".join("\n  " + t for t in lost[:50]))
print(f"pass only with the agent: {len(gained)}" + "".join("\n  " + t for t in gained[:50]))
sys.exit(1 if lost or gained else 0)
PY
