#!/usr/bin/env bash
# flash.sh — build the wayside release bundle and install it onto a device root filesystem
# (--rootfs DIR) or a device over ssh (--ssh USER@HOST). `./flash.sh --help` lists the options;
# deploy/README.md walks through a Raspberry Pi, a Jetson and an RK3588 board.
# The logic lives in firmware/deploy/flash.ts (run through tsx from a checkout).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -f "$here/node_modules/tsx/dist/loader.mjs" ]; then
  echo "flash: run 'npm ci' in $here first (flash.sh needs the dev tools to build)" >&2
  exit 2
fi
exec node --import "file://$here/node_modules/tsx/dist/loader.mjs" "$here/firmware/deploy/flash.ts" "$@"
