#!/usr/bin/env bash
# The demo team's book as it would be today, checked and built into site/.
# The demo customers were written for one day; scripts/demo_book.py copies them into .demo/ with every date moved
# so that day is today (a book a team works in, not one nobody has touched for months), then kehu checks it and
# builds its site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python scripts/demo_book.py --out .demo
.venv/bin/kehu -C .demo check
.venv/bin/kehu -C .demo build --out "$PWD/site"
echo "网站已生成：运行 .venv/bin/kehu -C .demo serve 在浏览器中查看（也可直接打开 site/index.html 浏览，但不能搜索）。"
echo "Site built: run .venv/bin/kehu -C .demo serve to look at it (opening site/index.html works too, without search)."
