#!/usr/bin/env bash
# Fetches extra openly licensed training photos from Debian packages at training time (licences in LICENSES.tsv):
# apt-get download + dpkg -x into .latentstream/photos/cache, then the largest rendition of each photo into
# .latentstream/photos/debian/ with LICENSES.tsv (package, version, licence file). Never committed.
# Usage: trainer/scripts/fetch-debian-photos.sh [PACKAGE...]   (default: mate-backgrounds plasma-workspace-wallpapers)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="$ROOT/.latentstream/photos"
CACHE="$BASE/cache"
OUT="$BASE/debian"
PACKAGES=("$@")
[ ${#PACKAGES[@]} -gt 0 ] || PACKAGES=(mate-backgrounds plasma-workspace-wallpapers)
rm -rf "$OUT"
mkdir -p "$CACHE" "$OUT"
printf 'file\tpackage\tversion\tlicence\n' > "$OUT/LICENSES.tsv"
for pkg in "${PACKAGES[@]}"; do
  (cd "$CACHE" && ls "${pkg}"_*.deb >/dev/null 2>&1 || apt-get download "$pkg")
  deb=$(ls "$CACHE/${pkg}"_*.deb | head -n 1)
  version=$(dpkg-deb -f "$deb" Version)
  dir="$CACHE/$pkg"
  [ -d "$dir" ] || dpkg -x "$deb" "$dir"
  # Photos only: these packages ship photos as JPEG and digital renders as PNG (and mate's abstract/ folder).
  # One file per photo: the largest rendition (several sizes of one wallpaper share a name up to _WxH).
  find "$dir" -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) -not -path '*/abstract/*' -size +200k -printf '%s\t%p\n' \
    | sort -rn | while IFS=$'\t' read -r size path; do
        rel="${path#"$dir"/}"
        key=$(echo "$rel" | sed -E 's#/contents/images/[^/]+$##; s#\.[A-Za-z]+$##; s#_?[0-9]+x[0-9]+$##; s#^usr/share/(backgrounds|wallpapers)/##; s#[^A-Za-z0-9]+#_#g')
        ext="${path##*.}"
        name="${pkg}_${key}.${ext,,}"
        [ -e "$OUT/${pkg}_${key}".* ] 2>/dev/null && continue
        # Illustrations and abstract renders that plasma also ships as JPEG.
        case "$key" in Flow*|Honeywave|Kite|PastelHills|Volna|summer_1am|Grey) continue ;; esac
        cp "$path" "$OUT/$name"
        printf '%s\t%s\t%s\t%s\n' "$name" "$pkg" "$version" "see /usr/share/doc/$pkg/copyright (copy: $dir/usr/share/doc/$pkg/copyright)" >> "$OUT/LICENSES.tsv"
      done
done
echo "$(($(wc -l < "$OUT/LICENSES.tsv") - 1)) photos in $OUT"
