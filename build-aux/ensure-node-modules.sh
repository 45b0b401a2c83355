#!/bin/sh
# Installs the browser test's npm packages (puppeteer-core, pinned by
# tests/browser/package-lock.json) into BUILDDIR/tests/browser/node_modules,
# only when they are missing or the lock file changed: quick when nothing
# is missing. Test-only: the extension itself has no npm dependencies.
#
# usage: ensure-node-modules.sh BUILDDIR
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: ensure-node-modules.sh BUILDDIR}
dest="$build/tests/browser"

if [ -f "$dest/node_modules/puppeteer-core/package.json" ] &&
   cmp -s "$src/tests/browser/package-lock.json" "$dest/package-lock.json"; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is missing: install the Debian packages nodejs and npm (build-aux/ensure-deps.sh does)" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$src/tests/browser/package.json" "$src/tests/browser/package-lock.json" "$dest/"
echo "Installing the browser test's npm packages into $dest/node_modules" >&2
(cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
