#!/usr/bin/env python3
"""Checks the Flatpak manifest offline (the GNOME runtime cannot be
downloaded here, so no real flatpak build can run):

- flatpak-builder loads it with G_DEBUG=fatal-warnings, so an unknown or
  misspelt property fails instead of being ignored;
- it uses a supported org.gnome.Platform runtime and its SDK, and builds
  the Haul module with meson from this tree;
- finish-args are exactly the allowed set, each with a one-line reason in a
  comment on its line; no --filesystem=home/host, no --talk-name;
- every extra module's sources are pinned (sha256 or a git commit).

Usage: check-flatpak-manifest.py MANIFEST
Prints the meson options of the Haul module with --print-config-opts.
"""

import datetime
import json
import os
import re
import subprocess
import sys

ALLOWED = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--filesystem=xdg-download",
}
# A GNOME runtime is supported until the release two after it: GNOME N
# comes out in March (N even) or September (N odd), N = 48 in March 2025
# (platform-facts.md §6.1: 48 ended on 2026-03-24, when 50 came out). So a
# manifest that is not bumped starts failing here when its runtime ends.
def runtime_end_of_life(version):
    n = int(version)
    later = n + 2 - 48          # releases after March 2025
    year = 2025 + later // 2
    month = 3 if later % 2 == 0 else 9
    return datetime.date(year, month, 24)


def load(manifest):
    env = dict(os.environ, G_DEBUG="fatal-warnings")
    out = subprocess.run(["flatpak-builder", "--show-manifest", manifest], env=env,
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        sys.exit(f"flatpak-builder --show-manifest failed ({out.returncode}): "
                 f"{out.stderr.strip()}")
    return json.loads(out.stdout)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    manifest = args[0]
    m = load(manifest)
    haul = [mod for mod in m.get("modules", []) if isinstance(mod, dict) and mod.get("name") == "haul"]

    if "--print-config-opts" in sys.argv:
        print("\n".join(haul[0].get("config-opts", [])) if haul else "")
        return

    errors = []
    if m.get("id") != "io.github.haulapp.Haul":
        errors.append(f"id is {m.get('id')!r}")
    if m.get("command") != "haul":
        errors.append(f"command is {m.get('command')!r}, not haul")
    if m.get("runtime") != "org.gnome.Platform" or m.get("sdk") != "org.gnome.Sdk":
        errors.append(f"runtime/sdk are {m.get('runtime')}/{m.get('sdk')}, "
                      "not org.gnome.Platform/org.gnome.Sdk")
    version = str(m.get("runtime-version"))
    if not version.isdigit():
        errors.append(f"runtime-version {version!r} is not a GNOME release number")
    elif datetime.date.today() >= runtime_end_of_life(version):
        errors.append(f"runtime-version {version} reached its end of life about "
                      f"{runtime_end_of_life(version)}: use a current org.gnome.Platform")

    finish = m.get("finish-args", [])
    if set(finish) != ALLOWED or len(finish) != len(ALLOWED):
        extra = sorted(set(finish) - ALLOWED)
        missing = sorted(ALLOWED - set(finish))
        errors.append(f"finish-args differ from the allowed set: extra {extra}, missing {missing}")
    raw = open(manifest, encoding="utf-8").read().splitlines()
    for arg in finish:
        lines = [l for l in raw if f'"{arg}"' in l]
        if not lines or not re.search(r'/\*\s*\S.*\*/', lines[0]):
            errors.append(f"finish-arg {arg} has no reason (a /* comment */ on its line)")

    if len(haul) != 1:
        errors.append("there is no single module named haul")
    else:
        mod = haul[0]
        if mod.get("buildsystem") != "meson":
            errors.append("the haul module is not built with meson")
        srcs = mod.get("sources", [])
        if not any(s.get("type") == "dir" and s.get("path") == ".." for s in srcs):
            errors.append("the haul module is not built from this source tree (dir ..)")
    for mod in m.get("modules", []):
        if not isinstance(mod, dict) or mod.get("name") == "haul":
            continue
        for s in mod.get("sources", []):
            if s.get("type") in ("archive", "file") and not s.get("sha256"):
                errors.append(f"module {mod.get('name')}: source {s.get('url')} has no sha256")
            if s.get("type") == "git" and not s.get("commit"):
                errors.append(f"module {mod.get('name')}: git source has no commit")

    for e in errors:
        print(e)
    print(f"{manifest}: {len(finish)} finish-args, {len(m.get('modules', []))} module(s), "
          f"{len(errors)} problems")
    sys.exit(1 if errors else 0)


main()
