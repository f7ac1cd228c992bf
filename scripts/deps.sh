#!/usr/bin/env bash
# Makes sure the build can run: HiGHS is compiled from source by the `highs-sys`
# crate, which needs cmake and libclang (for bindgen). On a fresh Debian machine
# with only Rust, this installs them when run as root, or says what to install.
set -euo pipefail

need_pkgs=()
command -v cmake >/dev/null 2>&1 || need_pkgs+=(cmake)
# bindgen needs libclang itself (libclang.so / libclang-NN.so); libclang-cpp,
# which some toolchains ship alone, does not count.
if ! ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/llvm-*/lib/libclang-[0-9]*.so* \
        /usr/lib/*-linux-gnu/libclang.so* /usr/lib/*-linux-gnu/libclang-[0-9]*.so* \
        >/dev/null 2>&1; then
  need_pkgs+=(libclang-dev)
fi
command -v c++ >/dev/null 2>&1 || need_pkgs+=(g++)

if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing build dependencies: ${need_pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${need_pkgs[@]}" >&2
  else
    echo "error: the HiGHS build needs: ${need_pkgs[*]}" >&2
    echo "  help: sudo apt-get install -y ${need_pkgs[*]}" >&2
    exit 1
  fi
fi
