#!/usr/bin/env bash
# Builds the latentstream Docker images from the project's build output (run `./latentstream build` or
# `mvn -DskipTests package` first): stages each image's context under docker/target/<image> (hard links where
# possible: nothing big is copied), then `docker build`.
#
# Usage: docker/build-images.sh [IMAGE...]     IMAGE: streams-app trainer kafka schema-registry (default: all)
# Environment:
#   BASE_IMAGE  Java 17 runtime image the images start from (default: the Dockerfiles' eclipse-temurin:17-jre;
#               where nothing can be pulled, docker/build-base-image.sh builds latentstream/base-jre17:bookworm)
#   TAG         image tag (default: latest); images are named latentstream/<image>:TAG
set -euo pipefail

DOCKER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$DOCKER_DIR")"
TAG="${TAG:-latest}"
ALL=(streams-app trainer kafka schema-registry)

log() { echo "build-images: $*" >&2; }
die() { log "$*"; exit 1; }

# link_into SRC... DEST_DIR: hard links (same file system) or copies
link_into() {
  local dest="${*: -1}"
  mkdir -p "$dest"
  cp -lR "${@:1:$#-1}" "$dest"/ 2>/dev/null || cp -R "${@:1:$#-1}" "$dest"/
}

need() { [ -e "$1" ] || die "missing $1: build the project first (./latentstream build)"; }

# stage_java MODULE CONTEXT: our jars to app/, third-party jars to lib/, natives, models, scripts
stage_java() {
  local module="$1" ctx="$2" jar entry name dir
  jar=$(ls "$ROOT/$module"/target/latentstream-"$module"-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -n1 || true)
  [ -n "$jar" ] || die "no jar in $module/target: build the project first (./latentstream build)"
  need "$ROOT/$module/target/classpath.txt"
  need "$ROOT/codec/target/tf-native/libtensorflow_cc.so.2"
  mkdir -p "$ctx/app" "$ctx/lib" "$ctx/models"
  link_into "$jar" "$ctx/app"
  IFS=":" read -r -a entries <"$ROOT/$module/target/classpath.txt" || true
  for entry in "${entries[@]}"; do
    [ -n "$entry" ] || continue
    name=$(basename "$entry")
    if [ -d "$entry" ]; then
      # a reactor build that stopped before `package` lists target/classes: use the module's jar instead
      dir=$(dirname "$entry")
      entry=$(ls "$dir"/latentstream-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -n1 || true)
      [ -n "$entry" ] || die "classpath entry $dir/classes has no jar next to it: run mvn package"
      name=$(basename "$entry")
    fi
    case "$name" in
      latentstream-*) link_into "$entry" "$ctx/app" ;;
      *) link_into "$entry" "$ctx/lib" ;;
    esac
  done
  link_into "$ROOT"/codec/target/tf-native "$ctx"
  mv "$ctx/tf-native" "$ctx/native"
  if compgen -G "$ROOT/models/*/manifest.json" >/dev/null; then
    for pkg in "$ROOT"/models/*/; do
      [ -f "$pkg/manifest.json" ] && link_into "${pkg%/}" "$ctx/models"
    done
  fi
  link_into "$DOCKER_DIR"/bin/run-java "$DOCKER_DIR"/bin/http-ok "$DOCKER_DIR"/bin/init-keys "$ctx/bin"
}

stage() {
  local image="$1" ctx="$DOCKER_DIR/target/$1"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  case "$image" in
    streams-app|trainer) stage_java "$image" "$ctx" ;;
    kafka)
      need "$ROOT/platform/target/kafka-lib"
      link_into "$ROOT"/platform/target/kafka-lib "$ctx" && mv "$ctx/kafka-lib" "$ctx/libs"
      link_into "$DOCKER_DIR"/kafka/bin/kafka-entrypoint "$DOCKER_DIR"/kafka/bin/kafka-ready "$ctx/bin" ;;
    schema-registry)
      need "$ROOT/platform/target/apicurio"
      link_into "$ROOT"/platform/target/apicurio "$ctx"
      link_into "$DOCKER_DIR"/bin/http-ok "$ctx/bin" ;;
    *) die "unknown image '$image' (one of: ${ALL[*]})" ;;
  esac
}

command -v docker >/dev/null 2>&1 || die "docker is not on PATH"
docker info >/dev/null 2>&1 || die "no Docker daemon answers (docker info failed)"

images=("$@")
[ ${#images[@]} -gt 0 ] || images=("${ALL[@]}")
args=()
[ -n "${BASE_IMAGE:-}" ] && args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
for image in "${images[@]}"; do
  start=$(date +%s)
  stage "$image"
  log "building latentstream/$image:$TAG${BASE_IMAGE:+ from $BASE_IMAGE}"
  # the legacy builder: BuildKit (buildx) is not part of every Docker installation, and nothing here needs it
  if ! DOCKER_BUILDKIT=0 docker build -q "${args[@]}" -t "latentstream/$image:$TAG" \
      -f "$DOCKER_DIR/$image/Dockerfile" "$DOCKER_DIR/target/$image" >"$DOCKER_DIR/target/$image.build.log" 2>&1; then
    tail -n 30 "$DOCKER_DIR/target/$image.build.log" >&2
    die "docker build of $image failed (log: docker/target/$image.build.log)"
  fi
  log "latentstream/$image:$TAG built in $(( $(date +%s) - start )) s"
done
