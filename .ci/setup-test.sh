#!/usr/bin/env bash
# Installs what the test suite needs beyond npm: a real Mosquitto broker, headless Chromium,
# Python with cryptography and scikit-learn (interop and the article's baseline), libgpiod and
# libsystemd headers for the optional native bindings, openssl for test certificates, and
# systemd-analyze for the unit checks. Idempotent; needs root (or sudo) on Debian 12.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(mosquitto mosquitto-clients chromium python3 python3-cryptography python3-sklearn python3-pandas
      libgpiod-dev gpiod libsystemd-dev openssl systemd util-linux procps openssh-server openssh-client sudo)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup:test: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The broker is started by the test harness on a free port; the packaged service is not needed.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  $SUDO systemctl stop mosquitto || true
fi
[ -d node_modules ] || npm ci
# node-libgpiod is an optional dependency built against libgpiod-dev: an `npm ci` run before the
# headers were installed (a fresh machine, where CI runs npm ci first) skipped it. Build it now.
if [ -d node_modules/node-libgpiod ] && ! ls node_modules/node-libgpiod/build/Release/*.node >/dev/null 2>&1; then
  echo "setup:test: building node-libgpiod against libgpiod-dev"
  npm rebuild node-libgpiod
fi
echo "setup:test: ok"
