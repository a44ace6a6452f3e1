#!/usr/bin/env bash
# Render the HTML report of an assessment and take screenshots of it with headless Chromium,
# for people to look at the report without opening a browser.
#
#   scripts/screenshot_report.sh [ASSESSMENT] [OUT_DIR]
#
# ASSESSMENT defaults to assessments/haan, OUT_DIR to ./report-screenshots. Writes
# OUT_DIR/bericht.html, OUT_DIR/bericht-oben.png (first screen, 1400x1000) and
# OUT_DIR/bericht-lang.png (1400x8000: Sachstand, graph, tables, heatmap).
# Needs the Debian package chromium (apt-get install -y chromium) and a catalog
# (GRUNDSCHUTZ_CATALOGS or --catalogs via CATALOGS=DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
assessment="${1:-assessments/haan}"
out="${2:-report-screenshots}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "chromium fehlt: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
mkdir -p "$out"
catalog_args=()
if [ -n "${CATALOGS:-}" ]; then catalog_args=(--catalogs "$CATALOGS"); fi
# the report command itself (works before and after it is registered in the grundschutz CLI)
python -c 'import sys; from grundschutz.cli_report import report; report(sys.argv[1:], prog_name="grundschutz report")' \
  "$assessment" -o "$out/bericht.html" "${catalog_args[@]}"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$out" && pwd)/bericht.html"
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --hide-scrollbars --disable-dev-shm-usage --user-data-dir="$profile")
"$browser" "${flags[@]}" --window-size=1400,1000 --screenshot="$out/bericht-oben.png" "$url" 2>/dev/null
"$browser" "${flags[@]}" --window-size=1400,8000 --screenshot="$out/bericht-lang.png" "$url" 2>/dev/null
echo "Screenshots: $out/bericht-oben.png, $out/bericht-lang.png"
