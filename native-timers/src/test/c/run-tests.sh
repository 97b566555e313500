#!/usr/bin/env bash
# Builds and runs the C tests for every architecture whose compiler is here: the host's directly, the
# others under qemu-user (statically linked, so no foreign sysroot is needed). A missing tool is reported
# and that architecture skipped; any failing test fails the build.
set -euo pipefail
work="$1/native-tests"
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../main/c"
mkdir -p "$work"
ran=() skipped=()
for arch in x86_64 aarch64 riscv64; do
  cc="$arch-linux-gnu-gcc"; run=("qemu-$arch")
  if [[ "$arch" == "$(uname -m)" ]]; then cc=gcc; run=(); fi
  if ! command -v "$cc" >/dev/null || { [[ ${#run[@]} -gt 0 ]] && ! command -v "${run[0]}" >/dev/null; }; then
    skipped+=("$arch"); continue
  fi
  bin="$work/timer_test-$arch"
  "$cc" -O2 -Wall -Wextra -Werror -static -I"$src" -o "$bin" "$src/preempt_timer.c" "$here/timer_test.c"
  "${run[@]}" "$bin"
  ran+=("$arch")
done
echo "[native-timers] C tests passed on: ${ran[*]:-none}${skipped:+; skipped (no compiler or qemu): ${skipped[*]}}"
