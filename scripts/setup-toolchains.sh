#!/usr/bin/env bash
# Installs what the build and its tests need beyond the JDK and Maven (Debian packages): the aarch64 and
# riscv64 cross compilers and qemu-user for the native timers, and chromium, in which the profile report's
# test renders the HTML headless. Idempotent: a no-op when all are present.
set -euo pipefail
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v riscv64-linux-gnu-gcc >/dev/null || need+=(gcc-riscv64-linux-gnu libc6-dev-riscv64-cross)
{ command -v qemu-aarch64 >/dev/null && command -v qemu-riscv64 >/dev/null; } || need+=(qemu-user)
command -v chromium >/dev/null || need+=(chromium)
if [[ ${#need[@]} -eq 0 ]]; then
  echo "setup-toolchains: gcc, aarch64 and riscv64 cross compilers, qemu-user and chromium are present"
  exit 0
fi
sudo=()
[[ "$(id -u)" == 0 ]] || sudo=(sudo)
echo "setup-toolchains: installing ${need[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "setup-toolchains: done"
