#!/usr/bin/env bash
# Sets up kehu for development on a fresh machine: a virtual environment in .venv
# with kehu and its test tools; with --with-browser Debian's Chromium (browser tests), with --with-editor the
# YAML language server from npm (the editor test).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# as root, or with sudo: the Debian packages the test tools need (nothing else installs system packages)
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    return 1
  fi
}

for flag in "$@"; do
  case "$flag" in
    --with-editor)
      # The editor test runs the real YAML language server (what VS Code's YAML extension runs) against a customer
      # file; it comes from the npm registry into .venv/, pinned, next to the Python tools.
      YAML_LS_VERSION=1.19.2
      if ! grep -qs "\"version\": \"$YAML_LS_VERSION\"" .venv/node_modules/yaml-language-server/package.json; then
        if ! command -v npm >/dev/null 2>&1 && ! apt_install nodejs npm; then
          echo "kehu setup: please install Node.js and npm (Debian: apt-get install nodejs npm) for the editor test" >&2
          exit 2
        fi
        npm install --silent --no-audit --no-fund --prefix .venv "yaml-language-server@$YAML_LS_VERSION" >/dev/null
      fi
      ;;
    --with-browser)
      # The browser tests drive Debian's Chromium; no tool may download a browser of its own.
      if ! command -v chromium >/dev/null 2>&1 && ! apt_install chromium; then
        echo "kehu setup: please install Chromium (Debian: apt-get install chromium) for the browser tests" >&2
        exit 2
      fi
      ;;
  esac
done
