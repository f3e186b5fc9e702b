#!/usr/bin/env bash
# Installs everything Tempo Review needs on a fresh Debian 12 / Ubuntu machine:
# system packages (ffmpeg; with --test also Chromium and Mesa's software Vulkan driver
# for WebGPU on CPU), then the npm packages, which also builds the TypeScript (prepare).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=0
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need_apt=1
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null || need_apt=1
  dpkg -s mesa-vulkan-drivers 2>/dev/null | grep -q '^Version: 25' || need_apt=1
fi

if [ "$need_apt" = 1 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq ffmpeg >/dev/null
  if [ "$want_test" = 1 ]; then
    $SUDO apt-get install -y -qq chromium libvulkan1 >/dev/null
    if grep -q bookworm /etc/os-release 2>/dev/null; then
      # WebGPU through onnxruntime-node needs Mesa 25 (lavapipe); bookworm's 22.x lacks features.
      echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/backports.list >/dev/null
      $SUDO apt-get update -qq
      $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
    else
      $SUDO apt-get install -y -qq mesa-vulkan-drivers >/dev/null
    fi
  fi
fi

# onnxruntime-node's install script downloads CUDA libraries; CPU and WebGPU ship in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
