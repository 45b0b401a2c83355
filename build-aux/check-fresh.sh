#!/bin/sh
# Runs the README's two commands on a fresh Debian 12, exactly as written:
#   1. builds a minimal root (debootstrap --variant=minbase bookworm) from
#      the Debian registry this machine's apt already uses; the bootstrap
#      tarball is cached outside the repository, the root is new every run;
#   2. copies the working tree into it (tracked files and untracked ones git
#      does not ignore: what would be committed);
#   3. in the root, as root: the launch command without a display (it must
#      exit non-zero saying so), the launch command under Xvfb (a Haul window
#      must appear; it is then closed with Ctrl+Q), and the test command.
# Everything runs in a private mount and PID namespace, so no mount and no
# process outlives the check; the root is deleted on every exit path.
#
# Usage: check-fresh.sh [--quick]   (--quick: the test command gets --quick)
# Results: one JSON line per step in _build-fresh/steps.json, and the test
# command's meson logs in _build-fresh/ (read by .ci/run). Exit 0 when every
# step passed. Needs root. HAUL_FRESH_CACHE names the cache folder
# (default /var/cache/haul-check-fresh).
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
cache=${HAUL_FRESH_CACHE:-/var/cache/haul-check-fresh}
suite=bookworm
out="$src/_build-fresh"

usage () { echo "usage: $0 [--quick]" >&2; exit 2; }

quick=""
case "${1:-}" in
  "") ;;
  --quick) quick=--quick ;;
  *) usage ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "error: check-fresh.sh builds a root with debootstrap and chroot: run it as root" >&2
  exit 1
fi

"$src/build-aux/ensure-deps.sh" "$src/build-aux/check-fresh-packages.txt" || exit 1

# The registry this machine's apt uses for Debian itself.
mirror=$(apt-get indextargets --format '$(URI)' 'Created-By: Packages' 2>/dev/null \
  | sed -n 's,^\(.*/debian\)/dists/'"$suite"'/.*,\1,p' | head -n 1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

mkdir -p "$cache/archives" || exit 1
tarball="$cache/$suite-minbase-$(dpkg --print-architecture).tgz"
# A month-old tarball is made again, so the root stays close to a new install.
if [ -f "$tarball" ] && [ -n "$(find "$tarball" -mtime +30)" ]; then
  rm -f "$tarball"
fi
if [ ! -f "$tarball" ]; then
  echo "check-fresh: downloading a minimal $suite into $tarball" >&2
  tmp=$(mktemp -d "$cache/work.XXXXXX") || exit 1
  if ! debootstrap --variant=minbase --make-tarball="$tarball.new" "$suite" "$tmp/root" "$mirror" \
       >"$cache/debootstrap.log" 2>&1; then
    echo "error: debootstrap could not download $suite from $mirror (see $cache/debootstrap.log)" >&2
    rm -rf "$tmp" "$tarball.new"
    exit 1
  fi
  rm -rf "$tmp"
  mv "$tarball.new" "$tarball"
fi

root=$(mktemp -d /var/tmp/haul-fresh.XXXXXX) || exit 1
inside=""
cleanup () {
  # Ending the namespace's unshare ends every process in it (--kill-child:
  # its first process is the namespace's init) and with them its mounts,
  # which this shell's namespace never saw: rm cannot reach into them.
  # --one-file-system all the same, as a second guard.
  if [ -n "$inside" ]; then
    kill -KILL "$inside" 2>/dev/null
    wait "$inside" 2>/dev/null
  fi
  rm -rf --one-file-system "$root" 2>/dev/null || { sleep 1; rm -rf --one-file-system "$root"; }
}
trap cleanup EXIT
trap 'echo "check-fresh: interrupted" >&2; exit 130' INT
trap 'echo "check-fresh: terminated" >&2; exit 143' TERM
trap 'exit 129' HUP

rm -rf "$out"
mkdir -p "$out"

start=$(date +%s)
echo "check-fresh: unpacking a fresh $suite root into $root" >&2
if ! debootstrap --variant=minbase --unpack-tarball="$tarball" "$suite" "$root" "$mirror" \
     >"$out/debootstrap.log" 2>&1; then
  echo "error: debootstrap failed (see $out/debootstrap.log)" >&2
  exit 1
fi
echo "check-fresh: Debian $(cat "$root/etc/debian_version") root ready in $(( $(date +%s) - start )) s" >&2

# The same registry, with the updates and security suites a new install has.
security=$(echo "$mirror" | sed 's,/debian$,/debian-security,')
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
# How this machine reaches that registry (a snapshot's Release files may be
# past their Valid-Until date); no package, no other setting.
cat >"$root/etc/apt/apt.conf.d/99check-fresh" <<'EOF'
Acquire::Check-Valid-Until "false";
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/hosts "$root/etc/hosts"
# How this machine reaches npm's registry: when its npm trusts a CA bundle
# of its own (a TLS-inspecting proxy's CA added to the system's), the root's
# npm gets the same bundle; no package, no other setting.
npm_cafile=$(npm config get cafile 2>/dev/null || true)
case "$npm_cafile" in
  /*) if [ -f "$npm_cafile" ]; then
        cp "$npm_cafile" "$root/etc/haul-check-fresh-ca.crt"
        mkdir -p "$root/usr/etc"
        echo "cafile=/etc/haul-check-fresh-ca.crt" >"$root/etc/npmrc"
        echo "cafile=/etc/haul-check-fresh-ca.crt" >"$root/usr/etc/npmrc"
      fi ;;
esac

mkdir -p "$root/src/haul"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard \
     | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh \
     | tar --null -T - -cf -) | tar -xf - -C "$root/src/haul" || exit 1
else
  (cd "$src" && tar --exclude='./_build*' --exclude=./.git -cf - .) | tar -xf - -C "$root/src/haul" || exit 1
fi

unshare --mount --pid --fork --kill-child --propagation private \
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      HAUL_FRESH_ROOT="$root" HAUL_FRESH_OUT="$out" HAUL_FRESH_CACHE="$cache" \
      HAUL_FRESH_QUICK="$quick" \
  sh "$src/build-aux/check-fresh-inside.sh" &
inside=$!
# In the background and waited for, so that a signal is acted on at once
# (a shell runs its traps only after a foreground command ends).
wait "$inside"
status=$?
inside=""
echo "check-fresh: finished in $(( $(date +%s) - start )) s, exit $status" >&2
exit $status
