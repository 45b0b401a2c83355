#!/bin/sh
# The part of check-fresh.sh that runs inside its private mount and PID
# namespace (started by check-fresh.sh only): mounts what a booted system
# has, then runs the README's commands in the fresh root, as root.
# Environment: HAUL_FRESH_ROOT, HAUL_FRESH_OUT, HAUL_FRESH_CACHE,
# HAUL_FRESH_QUICK ("" or --quick).
set -u

root=$HAUL_FRESH_ROOT out=$HAUL_FRESH_OUT quick=$HAUL_FRESH_QUICK
status=0

mount -t proc proc "$root/proc" || exit 1
mount --rbind /sys "$root/sys" || exit 1
mount --rbind /dev "$root/dev" || exit 1
mount -t tmpfs tmpfs "$root/tmp" || exit 1
mount -t tmpfs tmpfs "$root/run" || exit 1
# Downloaded .deb files are kept between runs (never an installed root).
mount --bind "$HAUL_FRESH_CACHE/archives" "$root/var/cache/apt/archives" || exit 1
# apt downloads as the root's _apt user.
chown "$(chroot "$root" id -u _apt)" "$root/var/cache/apt/archives" "$root/var/cache/apt/archives/partial" 2>/dev/null

# The README's commands, as written: the first code block's two lines.
commands=$(sed -n '/^```sh$/,/^```$/{/^```/d;s/[[:space:]]*#.*//;p;}' "$root/src/haul/README.md" | head -n 2)
launch=$(echo "$commands" | sed -n 1p)
test_cmd=$(echo "$commands" | sed -n 2p)
case "$launch" in */run.sh) ;; *) echo "error: README's first command is not run.sh: $launch" >&2; exit 1 ;; esac
case "$test_cmd" in */test.sh) ;; *) echo "error: README's second command is not test.sh: $test_cmd" >&2; exit 1 ;; esac

# step NAME OK|FAIL SECONDS: records a result for .ci/run and says it.
step () {
  printf '{"name": "fresh/%s", "result": "%s", "duration": %s}\n' "$1" "$2" "$3" >>"$out/steps.json"
  echo "check-fresh: $1: $2 ($3 s)" >&2
  [ "$2" = OK ] || status=1
}

in_root () {
  chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb sh -c "cd /src/haul && $1"
}

# 1. Without a display: installs what is missing, builds, and must say that
#    there is no display (exit non-zero, pointing at --headless).
t=$(date +%s)
in_root "$launch" >"$out/launch-no-display.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q -- "--headless" "$out/launch-no-display.log"; then
  step launch-no-display OK $(( $(date +%s) - t ))
else
  echo "check-fresh: the launch command without a display exited $rc:" >&2
  tail -n 30 "$out/launch-no-display.log" >&2
  step launch-no-display FAIL $(( $(date +%s) - t ))
fi

# 2. Under Xvfb with a session bus, as on a desktop: a window titled Haul
#    must appear within 60 s; Ctrl+Q (confirmed: downloads run) must close it
#    and end the process with 0.
cat >"$root/tmp/check-window.sh" <<EOF
$launch &
pid=\$!
wid=""
for i in \$(seq 1 120); do
  wid=\$(xdotool search --onlyvisible --name '^Haul\$' 2>/dev/null | head -n 1)
  [ -n "\$wid" ] && break
  kill -0 \$pid 2>/dev/null || break
  sleep 0.5
done
if [ -z "\$wid" ]; then
  echo "no Haul window appeared"; kill \$pid 2>/dev/null; exit 1
fi
echo "window \$wid appeared after about \$((i / 2)) s"
sleep 2
xdotool key --window "\$wid" ctrl+q
# The demo is downloading, so Quit asks first ("Stop 4 Downloads and
# Quit?", Cancel focused): Tab to Quit and press it.
sleep 2
dialog=\$(xdotool search --onlyvisible --name 'and Quit' 2>/dev/null | head -n 1)
if [ -n "\$dialog" ]; then
  echo "Quit asked: \$(xdotool getwindowname "\$dialog")"
  xdotool key --window "\$dialog" Tab Return
fi
for i in \$(seq 1 40); do
  kill -0 \$pid 2>/dev/null || break
  sleep 0.5
done
if kill -0 \$pid 2>/dev/null; then
  echo "Ctrl+Q did not end Haul"; kill \$pid; exit 1
fi
wait \$pid
rc=\$?
echo "Haul exited with \$rc"
exit \$rc
EOF
t=$(date +%s)
if in_root 'dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" sh /tmp/check-window.sh' \
     >"$out/launch-window.log" 2>&1; then
  step launch-window OK $(( $(date +%s) - t ))
else
  tail -n 30 "$out/launch-window.log" >&2
  step launch-window FAIL $(( $(date +%s) - t ))
fi

# 3. The test command (with --quick when asked).
t=$(date +%s)
if in_root "$test_cmd $quick" >"$out/test.log" 2>&1; then
  step "test${quick:+-quick}" OK $(( $(date +%s) - t ))
else
  grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|ERROR)' "$out/test.log" >&2
  tail -n 40 "$out/test.log" >&2
  step "test${quick:+-quick}" FAIL $(( $(date +%s) - t ))
fi
for log in "$root"/src/haul/_build*/meson-logs/testlog*.json; do
  [ -f "$log" ] || continue
  b=$(basename "$(dirname "$(dirname "$log")")")
  cp "$log" "$out/$b-$(basename "$log")"
done

echo "check-fresh: the root was Debian $(cat "$root/etc/debian_version") at the end" >&2
exit $status
