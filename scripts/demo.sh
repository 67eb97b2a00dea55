#!/usr/bin/env bash
# The main job on the demo data: check every customer file, then build the team's site into site/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/kehu check
.venv/bin/kehu build
echo "Site built: open site/index.html, or run .venv/bin/kehu serve to preview it with live reload."
