#!/usr/bin/env bash
# The main job on the demo data: check every customer file, then build the team's site into site/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/kehu check
.venv/bin/kehu build
echo "网站已生成：打开 site/index.html，或运行 .venv/bin/kehu serve 实时预览（site built: open site/index.html, or run .venv/bin/kehu serve）。"
