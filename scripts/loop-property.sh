#!/usr/bin/env bash
# The property test of the poll rewrite (LoopRewritePropertyTest) with a random seed, or the one given:
# random javac loop nests run stock and rewritten, results and exceptions compared. CI runs a fixed seed.
#   scripts/loop-property.sh [SEED] [METHODS]
set -euo pipefail
cd "$(dirname "$0")/.."
seed="${1:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"
methods="${2:-2000}"
export JAVA_HOME="$(./preempt jdk)" PATH="$(./preempt jdk)/bin:$PATH"
echo "loop property test: seed $seed, $methods methods"
# test-compile, then Surefire alone: the native timer's own C tests (bound to the test phase) are not run
MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -B -ntp -q test-compile surefire:test -pl agent -am \
  -Dtest=LoopRewritePropertyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dloops.seed="$seed" -Dloops.methods="$methods" \
  && echo "seed $seed: every rewritten loop nest agreed with stock"
