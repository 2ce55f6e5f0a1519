#!/usr/bin/env bash
# System packages the test suite uses, from Debian: Chromium for browser tests (never a
# downloaded browser build) and docker-compose to validate docker-compose.yml.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]} (sudo apt-get install ${missing[*]}); their tests will be skipped" >&2
fi
