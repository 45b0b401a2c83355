#!/bin/sh
# Installs the Debian packages listed in debian-packages.txt that are missing.
# Idempotent: when everything is installed it runs no apt-get at all.
# Extra list files may be passed as arguments (e.g. the benchmark's list).
# A line PACKAGE/COMMAND counts as installed when COMMAND is on the PATH.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
lists="$here/debian-packages.txt $*"

missing=""
for pkg in $(cat $lists | sed -e 's/#.*//' | tr -s ' \t' '\n' | sed -e '/^$/d'); do
  # PACKAGE/COMMAND: PACKAGE, unless COMMAND is already there from elsewhere
  # (npm comes inside NodeSource's nodejs package, and Debian's npm
  # package would replace that nodejs).
  case "$pkg" in
    */*)
      command -v "${pkg#*/}" >/dev/null 2>&1 && continue
      pkg=${pkg%%/*} ;;
  esac
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done

if [ -z "$missing" ]; then
  exit 0
fi

echo "Installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "error: need root or sudo to install:$missing" >&2
  exit 1
fi

$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
