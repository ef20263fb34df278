#!/usr/bin/env bash
# Builds a local Java 17 runtime base image without pulling from any registry: a minimal Debian bookworm root
# file system (debootstrap) with Debian's openjdk-17-jre-headless, imported with `docker import`.
# Use it where no image can be pulled (CI, the integration tests); elsewhere the Dockerfiles' default
# BASE_IMAGE (eclipse-temurin:17-jre) serves.
#
# Usage: docker/build-base-image.sh [--force] [IMAGE]     (default IMAGE: latentstream/base-jre17:bookworm)
# Skips the build when IMAGE exists already (--force rebuilds). Needs root, debootstrap and a Docker daemon.
# Environment: DEBIAN_MIRROR (default: the first URI of this machine's apt sources, else deb.debian.org).
set -euo pipefail

force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
IMAGE="${1:-latentstream/base-jre17:bookworm}"

log() { echo "build-base-image: $*" >&2; }
die() { log "$*"; exit 1; }

command -v docker >/dev/null 2>&1 || die "docker is not on PATH"
docker info >/dev/null 2>&1 || die "no Docker daemon answers (docker info failed)"
if [ "$force" = 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE exists; skipping (--force rebuilds)"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "debootstrap and chroot need root"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing (Debian: apt-get install debootstrap)"

mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(grep -h -m1 -E '^URIs:.*/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | head -n1 || true)
  [ -n "$mirror" ] || mirror=$(grep -h -m1 -E '^deb +[^ ]+/debian/? ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1 || true)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
fi

rootfs=$(mktemp -d "${TMPDIR:-/var/tmp}/latentstream-rootfs.XXXXXX")
cleanup() {
  umount "$rootfs/proc" 2>/dev/null || true
  rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

start=$(date +%s)
log "debootstrap --variant=minbase bookworm from $mirror (about a minute)"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
  || { tail -n 30 "$rootfs.log" >&2; die "debootstrap failed (log: $rootfs.log)"; }
rm -f "$rootfs.log"

log "installing openjdk-17-jre-headless in the root file system"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null &&
  apt-get install -y -q --no-install-recommends openjdk-17-jre-headless >/dev/null &&
  apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin'
umount "$rootfs/proc"
: >"$rootfs/etc/resolv.conf"
java_home=$(dirname "$(dirname "$(readlink -f "$rootfs/usr/bin/java")")")
java_home="${java_home#"$rootfs"}"

log "importing as $IMAGE"
tar -C "$rootfs" --numeric-owner -c . | docker import \
  --change "ENV JAVA_HOME=$java_home" \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --message "debootstrap minbase bookworm + openjdk-17-jre-headless (docker/build-base-image.sh)" \
  - "$IMAGE" >/dev/null
log "$IMAGE built in $(( $(date +%s) - start )) s"
