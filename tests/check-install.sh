#!/bin/sh
# The install test (suite "install"):
#   1. configures Haul with the Flatpak manifest's meson options and a
#      temporary prefix, builds it, and installs it into a DESTDIR: every
#      file a user gets must be there;
#   2. installs it into the prefix itself, which runs the post-install steps
#      (schemas, icon cache, desktop database), and checks their output;
#   3. starts the installed app through its desktop file, in a D-Bus
#      session that knows the prefix, both ways a desktop does it: from the
#      file (`gio launch FILE`: GLib 2.74 runs its Exec line) and by desktop
#      ID (`gtk4-launch ID`, as GNOME Shell: DBusActivatable, so the bus
#      starts `haul --gapplication-service`), and waits for its window;
#   4. launches it again by ID with a link: the running instance downloads
#      it (no second process), byte for byte;
#   5. quits it through its D-Bus action.
# Needs a display (meson test runs under Xvfb). Usage: check-install.sh SOURCE_DIR
set -eu

src=$(cd "$1" && pwd)
app_id=io.github.haulapp.Haul
tmp=$(mktemp -d "${TMPDIR:-/tmp}/haul-install.XXXXXX")
prefix=$tmp/prefix
stage=$tmp/stage
server_pid= dbus_pid=
# The installed Haul's processes (started by the bus, so found by binary).
haul_pids () { for p in $(pgrep haul); do
  [ "$(readlink "/proc/$p/exe")" = "$prefix/bin/haul" ] && echo "$p"; done; true; }
# Haul first (it saves its list on SIGTERM, and exits when its bus goes),
# then the servers, then the files; never stopped by a failing kill.
cleanup () {
  set +e
  for p in $(haul_pids); do kill "$p" 2>/dev/null; done
  i=0
  while [ -n "$(haul_pids)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  for p in $(haul_pids); do kill -9 "$p" 2>/dev/null; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$dbus_pid" ] && kill "$dbus_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
# meson's timeout sends SIGTERM: clean up then too.
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP
fail () { echo "FAIL: $*" >&2; exit 1; }
step () { echo "# $*"; }

# 1. Build and install into a DESTDIR, with the manifest's options.
opts=$(python3 "$src/tests/check-flatpak-manifest.py" "$src/flatpak/$app_id.json" --print-config-opts)
step "meson setup --prefix=$prefix --libdir=lib $(echo $opts)"
# shellcheck disable=SC2086
meson setup "$tmp/build" "$src" --prefix="$prefix" --libdir=lib $opts >"$tmp/setup.log" 2>&1 \
  || { cat "$tmp/setup.log"; fail "meson setup"; }
ninja -C "$tmp/build" >"$tmp/build.log" 2>&1 || { tail -50 "$tmp/build.log"; fail "build"; }
meson install -C "$tmp/build" --destdir "$stage" >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; fail "meson install --destdir"; }

staged=$stage$prefix
for f in \
  bin/haul \
  share/applications/$app_id.desktop \
  share/metainfo/$app_id.metainfo.xml \
  share/glib-2.0/schemas/$app_id.gschema.xml \
  share/icons/hicolor/scalable/apps/$app_id.svg \
  share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg \
  share/dbus-1/services/$app_id.service \
  share/man/man1/haul.1 \
  $(sed -n 's/^\([a-z][a-zA-Z_@]*\).*/share\/locale\/\1\/LC_MESSAGES\/haul.mo/p' "$src/po/LINGUAS")
do
  [ -s "$staged/$f" ] || fail "$f was not installed into DESTDIR"
  echo "ok   $f"
done
[ -x "$staged/bin/haul" ] || fail "bin/haul is not executable"
grep -qx "Exec=$prefix/bin/haul --gapplication-service" "$staged/share/dbus-1/services/$app_id.service" \
  || fail "the D-Bus service does not start $prefix/bin/haul"
grep -qx "Exec=haul %U" "$staged/share/applications/$app_id.desktop" || fail "desktop file: no Exec=haul %U"
grep -qx "DBusActivatable=true" "$staged/share/applications/$app_id.desktop" || fail "desktop file: not DBusActivatable"
grep -q "^Name\[de\]=" "$staged/share/applications/$app_id.desktop" || fail "desktop file has no translations"
grep -q 'xml:lang="de"' "$staged/share/metainfo/$app_id.metainfo.xml" || fail "metainfo has no translations"
desktop-file-validate "$staged/share/applications/$app_id.desktop" || fail "installed desktop file is not valid"
[ ! -e "$staged/share/glib-2.0/schemas/gschemas.compiled" ] || fail "DESTDIR install compiled schemas"

# 2. Install into the prefix: the post-install steps run.
meson install -C "$tmp/build" >>"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "meson install"; }
for f in share/glib-2.0/schemas/gschemas.compiled share/icons/hicolor/icon-theme.cache \
         share/applications/mimeinfo.cache; do
  [ -s "$prefix/$f" ] || fail "post-install did not create $f"
  echo "ok   $f (post-install)"
done
grep -q "text/uri-list=$app_id.desktop" "$prefix/share/applications/mimeinfo.cache" \
  || fail "mimeinfo.cache does not map text/uri-list to Haul"

# 3. Start it through the desktop file in a session that knows the prefix.
home=$tmp/home
mkdir -p "$home/Downloads" "$home/.config" "$home/.local/share" "$tmp/www"
printf 'XDG_DOWNLOAD_DIR="%s/Downloads"\n' "$home" > "$home/.config/user-dirs.dirs"
cat > "$tmp/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=$tmp</listen>
  <servicedir>$prefix/share/dbus-1/services</servicedir>
  <standard_session_servicedirs/>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
export XDG_DATA_DIRS="$prefix/share:/usr/local/share:/usr/share"
export PATH="$prefix/bin:$PATH" GSETTINGS_BACKEND=memory
unset GSETTINGS_SCHEMA_DIR
export LANGUAGE=
dbus-daemon --config-file="$tmp/session.conf" --print-address=3 --print-pid=4 --fork \
  3>"$tmp/bus.address" 4>"$tmp/bus.pid"
DBUS_SESSION_BUS_ADDRESS=$(cat "$tmp/bus.address")
dbus_pid=$(cat "$tmp/bus.pid")
export DBUS_SESSION_BUS_ADDRESS

desktop=$prefix/share/applications/$app_id.desktop

wait_for () {  # wait_for SECONDS COMMAND…: until COMMAND succeeds
  limit=$1; shift
  i=0
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -le $((limit * 10)) ] || return 1
    sleep 0.1
  done
}
window_up () { xdotool search --onlyvisible --name '^Haul$'; }
no_haul () { [ -z "$(haul_pids)" ]; }
one_haul () {  # prints the one process's command line
  pids=$(haul_pids)
  [ "$(echo "$pids" | wc -w)" = 1 ] || fail "expected one haul process, found: $pids"
  tr '\0' ' ' < "/proc/$pids/cmdline"
}
check_one_haul () { [ "$(haul_pids | wc -w)" = 1 ] || fail "expected one haul process, found: $(haul_pids)"; }

# 3a. From the desktop file: its Exec line, `haul` found in PATH.
step "gio launch $desktop"
gio launch "$desktop" || fail "gio launch"
wait_for 30 window_up || fail "no Haul window appeared within 30 s (gio launch)"
check_one_haul
cmdline=$(one_haul)
case "$cmdline" in
  "haul "|"$prefix/bin/haul --gapplication-service ") ;;
  *) fail "gio launch started something else: $cmdline" ;;
esac
echo "ok   window up; gio launch ran: $cmdline"
gapplication action "$app_id" quit || fail "gapplication action quit"
wait_for 15 no_haul || fail "haul did not quit"

# 3b. By desktop ID: D-Bus activation.
step "gtk4-launch $app_id"
gtk4-launch "$app_id" || fail "gtk4-launch"
wait_for 30 window_up || fail "no Haul window appeared within 30 s (gtk4-launch)"
check_one_haul
cmdline=$(one_haul)
pids=$(haul_pids)
case "$cmdline" in
  "$prefix/bin/haul --gapplication-service ") ;;
  *) fail "gtk4-launch did not start Haul through D-Bus activation: $cmdline" ;;
esac
echo "ok   window up; the session bus started: $cmdline"

# 4. A link given to the launcher reaches the running instance.
head -c 3000000 /dev/urandom > "$tmp/www/payload.bin"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$tmp/www" >"$tmp/http.log" 2>&1 &
server_pid=$!
wait_for 10 grep -q "Serving HTTP" "$tmp/http.log" || fail "test HTTP server did not start"
port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$tmp/http.log" | head -n1)
url="http://127.0.0.1:$port/payload.bin"
step "gtk4-launch $app_id $url"
gtk4-launch "$app_id" "$url" || fail "gtk4-launch with a link"
wait_for 30 test -f "$home/Downloads/payload.bin" || fail "the link did not download within 30 s"
cmp "$tmp/www/payload.bin" "$home/Downloads/payload.bin" || fail "downloaded file differs"
[ "$(haul_pids | wc -w)" = 1 ] || fail "the second launch started another process: $(haul_pids)"
echo "ok   $url downloaded by the running instance (pid $pids), byte-identical"

# ... and so does a file of links opened with Haul.
head -c 1000000 /dev/urandom > "$tmp/www/listed.bin"
printf '# links\nhttp://127.0.0.1:%s/listed.bin\n' "$port" > "$tmp/links.txt"
step "gtk4-launch $app_id $tmp/links.txt"
gtk4-launch "$app_id" "$tmp/links.txt" || fail "gtk4-launch with a file of links"
wait_for 30 test -f "$home/Downloads/listed.bin" || fail "the listed link did not download within 30 s"
cmp "$tmp/www/listed.bin" "$home/Downloads/listed.bin" || fail "downloaded file differs"
[ "$(haul_pids)" = "$pids" ] || fail "opening a file started another process: $(haul_pids)"
echo "ok   the link in links.txt downloaded by the running instance, byte-identical"

# 5. Quit through the application's D-Bus action.
gapplication action "$app_id" quit || fail "gapplication action quit"
wait_for 15 no_haul || fail "haul did not quit"
echo "ok   quit through gapplication action"
echo "install test passed"
