#!/usr/bin/env bash
# System packages the test suite uses, from Debian: Chromium for browser tests (never a
# downloaded browser build), docker-compose to validate docker-compose.yml, and Node's npm
# for axe-core (package.json), which the accessibility tests inject into the staff pages.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing system packages: ${missing[*]} (sudo apt-get install ${missing[*]}); their tests will be skipped" >&2
  fi
fi
# axe-core from the npm registry, at the version package-lock.json pins.
cd "$(dirname "$0")/.."
if command -v npm >/dev/null 2>&1 && [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund --silent
fi
