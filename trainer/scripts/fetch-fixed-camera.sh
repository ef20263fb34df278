#!/usr/bin/env bash
# Fetches a fixed-camera sequence for ./latentstream bench-retrain (trainer/SERVICE.md "Value on a fixed camera"):
# examples/data/vtest.avi of Debian's opencv-doc (795 frames, 768x576, a pedestrian scene of the PETS 2009 data),
# decoded frame by frame into .latentstream/footage/vtest/frame-NNNN.png (in time order), with NOTICE.txt
# (where it comes from, its terms). Nothing here is committed. Idempotent: a complete earlier extraction is kept.
#   apt-get download opencv-doc + dpkg -x into .latentstream/footage/cache (no root needed);
#   ffmpeg: the one on PATH, else apt-get install -y ffmpeg as root, else (not root) apt-get download of ffmpeg and
#   the libraries it needs that are not installed, dpkg -x into .latentstream/footage/ffmpeg, run from there.
# Usage: trainer/scripts/fetch-fixed-camera.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="$ROOT/.latentstream/footage"
CACHE="$BASE/cache"
OUT="$BASE/vtest"
FRAMES=795
mkdir -p "$CACHE"

TREE="$BASE/tree"   # the tuning clip of the DELTA options (docs/bitstream.md): never used for reported figures
if [ -f "$OUT/.complete" ] && [ "$(find "$OUT" -name 'frame-*.png' | wc -l)" -eq "$FRAMES" ] && [ -f "$TREE/.complete" ]; then
  echo "$FRAMES frames already in $OUT (and the tuning clip in $TREE)"
  exit 0
fi

pkg=opencv-doc
SCRIPT=fetch-fixed-camera
# shellcheck source=ffmpeg-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/ffmpeg-lib.sh"
fetch_deb "$pkg" usr/share/doc/opencv-doc/examples/data/vtest.avi
avi="$CACHE/$pkg/usr/share/doc/opencv-doc/examples/data/vtest.avi"

# examples/data/tree.avi of the same package: 68 frames, 320x240, a fixed camera on a tree, a hand passes
if [ ! -f "$TREE/.complete" ]; then
  rm -rf "$TREE"
  mkdir -p "$TREE"
  "${FFMPEG[@]}" -hide_banner -loglevel error -nostdin -i "$CACHE/$pkg/usr/share/doc/opencv-doc/examples/data/tree.avi" \
    -vsync passthrough -pix_fmt rgb24 "$TREE/frame-%04d.png"
  touch "$TREE/.complete"
fi
if [ -f "$OUT/.complete" ] && [ "$(find "$OUT" -name 'frame-*.png' | wc -l)" -eq "$FRAMES" ]; then
  echo "$FRAMES frames already in $OUT"
  exit 0
fi

decode_frames "$avi"

cat > "$OUT.tmp/NOTICE.txt" <<EOF
Frames of examples/data/vtest.avi from the Debian package $pkg $version, decoded with ffmpeg by
trainer/scripts/fetch-fixed-camera.sh ($n frames, frame-0001.png first, in time order).

Origin: the clip is the OpenCV sample "vtest.avi", a pedestrian scene seen by a fixed camera, taken from the
PETS 2009 benchmark data (PETS 2009 workshop, University of Reading). Debian distributes it within opencv-doc under the
package's copyright file (copy: $CACHE/$pkg/usr/share/doc/opencv-doc/copyright, "Files: *": Apache-2.0 AND
BSD-3-Clause), which does not list the clip separately. The PETS data is made available for research; its providers
ask that work using it acknowledge the PETS 2009 dataset. We use it only to measure compression
(./latentstream bench-retrain) and acknowledge it in trainer/SERVICE.md and BENCHMARKS.md.

Do not commit these frames or redistribute them as part of latentstream.
EOF
publish_frames
