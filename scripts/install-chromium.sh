#!/usr/bin/env bash
# Installs Debian's chromium for the Swagger UI browser test (test/browser), unless it is there.
# playwright-core drives it; Playwright's own browser download is not used.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing and installing it needs root: sudo $0" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
