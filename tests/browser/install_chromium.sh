#!/usr/bin/env bash
# Install Debian's Chromium and its driver for the browser test (idempotent).
# The test never downloads a browser of its own: it drives /usr/bin/chromium.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_chromium.sh: /usr/bin/chromium is missing; run as root or: sudo apt-get install chromium chromium-driver" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
/usr/bin/chromium --version 2>/dev/null  # (its launcher warns about /dev/shm: harmless)
