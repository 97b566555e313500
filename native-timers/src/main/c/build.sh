#!/usr/bin/env bash
# Builds libpreempt-timer.so for every architecture whose compiler is here, into the class-path layout
# dev/preempt/timer/native/linux-<arch>/ under $1. The host's is required; a missing cross compiler is
# reported and skipped (scripts/setup-toolchains.sh installs them; CI runs it first).
set -euo pipefail
out="$1"
src="$(cd "$(dirname "$0")" && pwd)"
flags=(-O2 -fPIC -shared -Wall -Wextra -Werror -fvisibility=default -o)
built=()
for arch in x86_64 aarch64 riscv64; do
  cc="$arch-linux-gnu-gcc"
  if [[ "$arch" == "$(uname -m)" ]]; then cc=gcc; fi
  if ! command -v "$cc" >/dev/null; then
    echo "[native-timers] WARNING: $cc not found: no native timer for linux-$arch in this build (run scripts/setup-toolchains.sh)"
    continue
  fi
  dir="$out/dev/preempt/timer/native/linux-$arch"
  mkdir -p "$dir"
  "$cc" "${flags[@]}" "$dir/libpreempt-timer.so" "$src/preempt_timer.c"
  built+=("$arch")
done
echo "[native-timers] built libpreempt-timer.so for: ${built[*]:-none}"
