#!/bin/sh
# Renders browser/icons/haul.svg into the PNG sizes the manifests name
# (16, 32, 48, 128). Run it after editing the SVG and commit the PNGs: the
# build only copies them. Needs rsvg-convert (Debian: librsvg2-bin).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for size in 16 32 48 128; do
  rsvg-convert --width "$size" --height "$size" --output "$here/haul-$size.png" "$here/haul.svg"
done
