#!/usr/bin/env bash
# Fetches a second fixed-camera sequence for ./latentstream bench-retrain, of another kind than vtest.avi's pedestrians
# (trainer/scripts/fetch-fixed-camera.sh). No openly licensed fixed-camera clip of vehicles with enough frames is in
# Debian's packages (bookworm main, contrib, non-free; trixie and sid main) or in the npm packages we checked, so this
# fetches the best fixed-camera clip found instead:
# data/video/balle1-vp9.avi of Debian's python3-mecavideo (pymecavideo's example videos): 295 frames, 320x240, a
# tripod camera in a school physics lab, where a ball is thrown past a ruler and a person moves at the left edge.
# It is decoded frame by frame into .latentstream/footage/balle1/frame-NNNN.png (in time order), with NOTICE.txt
# (where it comes from, its terms). Nothing here is committed. Idempotent: a complete earlier extraction is kept.
#   apt-get download python3-mecavideo + dpkg -x into .latentstream/footage/cache (no root needed);
#   ffmpeg: the one on PATH, else apt-get install -y ffmpeg as root, else (not root) apt-get download of ffmpeg and
#   the libraries it needs that are not installed, dpkg -x into .latentstream/footage/ffmpeg, run from there.
# Usage: trainer/scripts/fetch-lab-footage.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="$ROOT/.latentstream/footage"
CACHE="$BASE/cache"
NAME=balle1
OUT="$BASE/$NAME"
# The AVI header says 300 frames; 295 of them hold a picture (ffmpeg, -vsync passthrough).
FRAMES=295
mkdir -p "$CACHE"

if [ -f "$OUT/.complete" ] && [ "$(find "$OUT" -name 'frame-*.png' | wc -l)" -eq "$FRAMES" ]; then
  echo "$FRAMES frames already in $OUT"
  exit 0
fi

pkg=python3-mecavideo
SCRIPT=fetch-lab-footage
# shellcheck source=ffmpeg-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/ffmpeg-lib.sh"
fetch_deb "$pkg" usr/share/pymecavideo/data/video/balle1-vp9.avi
clip="$CACHE/$pkg/usr/share/pymecavideo/data/video/balle1-vp9.avi"

# the video stream only: the sound is left out
decode_frames "$clip" -map 0:v:0

cat > "$OUT.tmp/NOTICE.txt" <<EOF
Frames of usr/share/pymecavideo/data/video/balle1-vp9.avi from the Debian package $pkg $version, decoded with
ffmpeg by trainer/scripts/fetch-lab-footage.sh ($n frames, 320x240, frame-0001.png first, in time order; the file
is VP9 in AVI, tagged 187.35 frames a second, i.e. a high-speed recording).

Origin: an example video of pymecavideo (a program for measuring motion in videos, for physics teaching): a camera on
a tripod in a school physics laboratory films a ball thrown past a vertical ruler, and the person throwing it at the
left edge of the picture. Debian's copyright file for the package (copy:
$CACHE/$pkg/usr/share/doc/python3-mecavideo/copyright) says: "The video files given as examples have another free
licence", author Benoît Markey, Copyright (C) 2007 Benoît Markey, licence Creative Commons Attribution-ShareAlike 3.0
(CC BY-SA 3.0, http://creativecommons.org/licenses/by-sa/3.0/; full text in that file). Whoever shares these frames or
something made from them must credit the author and pymecavideo, name the licence and share alike. We use them only to
measure compression (./latentstream bench-retrain).

Do not commit these frames or redistribute them as part of latentstream.
EOF
publish_frames
