# Sourced by the footage scripts (fetch-fixed-camera.sh, fetch-lab-footage.sh).
#
# fetch_deb PKG FILE: apt-get download of Debian package PKG into $CACHE (once), dpkg -x into $CACHE/PKG unless FILE
# (a path inside the package) is already there; sets deb and version; fails when the package has no FILE.
fetch_deb() {
  local pkg="$1" file="$2"
  (cd "$CACHE" && ls "${pkg}"_*.deb >/dev/null 2>&1 || apt-get download "$pkg")
  deb=$(ls "$CACHE/${pkg}"_*.deb | head -n 1)
  version=$(dpkg-deb -f "$deb" Version)
  [ -f "$CACHE/$pkg/$file" ] || { rm -rf "${CACHE:?}/$pkg"; dpkg -x "$deb" "$CACHE/$pkg"; }
  [ -f "$CACHE/$pkg/$file" ] || { echo "$SCRIPT: $deb has no $file" >&2; exit 1; }
}

# decode_frames CLIP [ARGS...]: every frame of CLIP as it is in the file (no frame-rate conversion: -vsync passthrough)
# as RGB24 PNG frame-NNNN.png in a fresh $OUT.tmp, ffmpeg ARGS (e.g. a stream map) before the output; sets n to the
# number of frames and warns when it is not $FRAMES. Needs OUT, FRAMES, SCRIPT and FFMPEG (below).
decode_frames() {
  local clip="$1"
  shift
  rm -rf "$OUT.tmp"
  mkdir -p "$OUT.tmp"
  "${FFMPEG[@]}" -hide_banner -loglevel error -nostdin -i "$clip" "$@" -vsync passthrough -pix_fmt rgb24 \
    "$OUT.tmp/frame-%04d.png"
  n=$(find "$OUT.tmp" -name 'frame-*.png' | wc -l)
  [ "$n" -eq "$FRAMES" ] || echo "$SCRIPT: warning: $n frames decoded, $FRAMES expected" >&2
}

# publish_frames: replaces $OUT by $OUT.tmp (frames and NOTICE.txt) and marks it complete.
publish_frames() {
  rm -rf "$OUT"
  mv "$OUT.tmp" "$OUT"
  touch "$OUT/.complete"
  echo "$n frames in $OUT"
}

# Then sets FFMPEG to a command array
# that runs ffmpeg, by the simplest way this machine allows: the one on PATH; else, as root,
# apt-get install -y --no-install-recommends ffmpeg; else (not root) apt-get download of ffmpeg and the libraries it
# needs that are not installed, dpkg -x into $BASE/ffmpeg, run from there with LD_LIBRARY_PATH.
# Needs: BASE (the footage folder), SCRIPT (the caller's name, for messages).
FFMPEG=(ffmpeg)
if ! command -v ffmpeg >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "$SCRIPT: installing ffmpeg (apt-get install -y --no-install-recommends ffmpeg)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg >"$BASE/apt-ffmpeg.log" 2>&1 \
      || { tail -n 20 "$BASE/apt-ffmpeg.log" >&2; exit 1; }
  else
    prefix="$BASE/ffmpeg"
    if [ ! -x "$prefix/usr/bin/ffmpeg" ]; then
      echo "$SCRIPT: not root; unpacking ffmpeg and its missing libraries into $prefix" >&2
      mkdir -p "$prefix/debs"
      # ffmpeg's run-time dependencies (recursively) that dpkg does not list as installed.
      mapfile -t wanted < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
          --no-replaces --no-enhances ffmpeg | grep -E '^[a-z0-9]' | sort -u)
      missing=()
      for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
      done
      (cd "$prefix/debs" && apt-get download "${missing[@]}")
      for d in "$prefix"/debs/*.deb; do dpkg -x "$d" "$prefix"; done
    fi
    libs=$(find "$prefix" -name '*.so*' -printf '%h\n' | sort -u | paste -sd: -)
    FFMPEG=(env "LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$prefix/usr/bin/ffmpeg")
  fi
fi
