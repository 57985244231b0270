#!/usr/bin/env bash
# Renders a demo report with headless Chromium and writes a screenshot next to it, failing when Chromium
# cannot load it or the page renders blank. Usage: tools/check-report.sh DEMO_OUT_DIR
# Needs Debian's chromium (installed here if missing); the product and CI do not.
set -euo pipefail
dir="${1:?usage: tools/check-report.sh DEMO_OUT_DIR}"
report="$(cd "$dir" && pwd)/report.html"
[ -f "$report" ] || { echo "check-report: no $report" >&2; exit 1; }
if ! command -v chromium >/dev/null; then
  echo "check-report: installing Debian's chromium" >&2
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -q chromium >/dev/null
fi
shot="$dir/report-screenshot.png"
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2400 \
  --screenshot="$shot" "file://$report" >/dev/null 2>&1
[ -s "$shot" ] || { echo "check-report: chromium wrote no screenshot" >&2; exit 1; }
# a blank page compresses to a few KB; the report (tables, plot, image grid) to far more
size=$(stat -c %s "$shot")
[ "$size" -gt 40000 ] || { echo "check-report: screenshot $shot is only $size bytes (blank page?)" >&2; exit 1; }
echo "check-report: $report rendered, screenshot $shot ($size bytes)"
