#!/usr/bin/env bash
# The GraphiQL browser test drives headless Chromium with its matching chromedriver (Debian
# packages `chromium` and `chromium-driver`). Install them with apt when missing and we may;
# otherwise the browser test skips and says why.
set -euo pipefail

command -v chromium >/dev/null && command -v chromedriver >/dev/null && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing chromium and chromium-driver (the GraphiQL browser test)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "chromium and chromium-driver are missing: the GraphiQL browser test will skip" >&2
fi
