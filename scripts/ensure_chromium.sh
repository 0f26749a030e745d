#!/usr/bin/env bash
# Install Debian's chromium for the browser tests when it is missing and we may install packages.
set -u
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "Could not install chromium: browser tests will be skipped with that reason (they fail under CI=true or KB_REQUIRE=browser)."
else
  echo "chromium is missing and cannot be installed here (needs root and apt-get): browser tests will be skipped (they fail under CI=true or KB_REQUIRE=browser)."
fi
exit 0
