#!/usr/bin/env bash
# Makes Docker usable for the container tests (ContainerScalingIT), idempotently; CI (.ci/run) calls it before
# the test suite. Exit 0 when a daemon answers and the local base image exists, 1 otherwise (with the reason).
#   1. Debian's docker.io and debootstrap are installed when dockerd or debootstrap is missing (needs root + apt).
#   2. dockerd is started in the background when no daemon answers: host networking only (--bridge=none
#      --iptables=false; the tests run every container with --network host). Log: $DOCKERD_LOG.
#   3. docker/build-base-image.sh builds the local Java 17 base image unless it exists (nothing can be pulled).
set -euo pipefail
DOCKER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/latentstream-dockerd.log}"
log() { echo "ensure-docker: $*" >&2; }
fail() { log "$*"; exit 1; }
start=$(date +%s)

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "dockerd or debootstrap is missing and this is not root: cannot install them"
  command -v apt-get >/dev/null 2>&1 || fail "dockerd or debootstrap is missing and there is no apt-get"
  log "installing docker.io and debootstrap (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || fail "apt-get update failed"
  apt-get install -y -q docker.io debootstrap >/dev/null || fail "apt-get install docker.io debootstrap failed"
fi

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "no Docker daemon answers and this is not root: cannot start dockerd"
  pid=$(cat /var/run/docker.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "dockerd (pid $pid) runs but does not answer yet; waiting for it"
  else
    # a daemon that died (or a machine that stopped) leaves its pid file behind, and dockerd refuses to start then
    rm -f /var/run/docker.pid
    log "starting dockerd --bridge=none --iptables=false (log: $DOCKERD_LOG)"
    # its own session: it outlives this script and is not stopped by a Ctrl-C meant for the tests
    setsid nohup dockerd --bridge=none --iptables=false >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -n 20 "$DOCKERD_LOG" >&2; fail "dockerd did not answer within 60 s"; }
fi
log "Docker daemon $(docker info --format '{{.ServerVersion}}') answers"

"$DOCKER_DIR/build-base-image.sh" || fail "the base image could not be built"
log "ready in $(( $(date +%s) - start )) s"
