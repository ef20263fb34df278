#!/usr/bin/env bash
# Builds a Prometheus image from this machine's Debian `prometheus` binary, for machines that cannot pull
# prom/prometheus (CI): the compose stack's `monitoring` profile runs it with LATENTSTREAM_PROMETHEUS_IMAGE set.
# Same entry point and user as the official image: /bin/prometheus, nobody.
#
# Usage: docker/build-prometheus-image.sh [IMAGE]     (default IMAGE: latentstream/prometheus:local)
# Environment: BASE_IMAGE (default latentstream/base-jre17:bookworm: any bookworm-like image; the binary needs libc
# only), PROMETHEUS (default: the prometheus on the PATH).
set -euo pipefail
DOCKER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGE="${1:-latentstream/prometheus:local}"
BASE_IMAGE="${BASE_IMAGE:-latentstream/base-jre17:bookworm}"
log() { echo "build-prometheus-image: $*" >&2; }
die() { log "$*"; exit 1; }

binary="${PROMETHEUS:-$(command -v prometheus || true)}"
[ -n "$binary" ] && [ -x "$binary" ] || die "no prometheus binary (Debian: apt-get install prometheus)"
ctx="$DOCKER_DIR/target/prometheus"
rm -rf "$ctx" && mkdir -p "$ctx"
cp "$binary" "$ctx/prometheus"
cat >"$ctx/Dockerfile" <<DOCKERFILE
ARG BASE_IMAGE
FROM \${BASE_IMAGE}
COPY prometheus /bin/prometheus
RUN mkdir -p /prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE" "$ctx" >/dev/null \
  || die "docker build of $IMAGE failed"
log "$IMAGE built from $binary ($("$binary" --version 2>&1 | head -n1))"
