#!/usr/bin/env bash
# Install Debian's Chromium (driven by Playwright in the browser tests) and a Korean font, with apt,
# when they are missing. Needs root, as on CI and the development machines.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Browser tests need: ${missing[*]} (run as root or install them); they will be skipped." >&2
    exit 0
  fi
  echo "Installing ${missing[*]} with apt…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q "${missing[@]}" >&2
fi
