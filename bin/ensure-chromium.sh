#!/usr/bin/env bash
# Sourced by bin/test: ReportScreenshotTest renders the demo report with headless Chromium. On a Debian/Ubuntu machine
# without it this installs Debian's chromium (about a minute); where that is not possible the test skips itself with a
# line saying so, and the rest of the suite runs as before.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  echo "maskseg: no chromium found; installing Debian's chromium (for the report screenshot test)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
  if command -v apt-get >/dev/null 2>&1 && { $SUDO apt-get install -y -q chromium >/tmp/maskseg-apt-chromium.log 2>&1 \
     || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q chromium >>/tmp/maskseg-apt-chromium.log 2>&1; }; }; then
    echo "maskseg: installed chromium"
  else
    echo "maskseg: could not install chromium (see /tmp/maskseg-apt-chromium.log); ReportScreenshotTest will be skipped" >&2
  fi
fi
