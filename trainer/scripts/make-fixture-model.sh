#!/usr/bin/env bash
# Regenerates the tiny model package used by fast tests elsewhere (codec/src/test/resources/fixture-model/).
# N=8, M=8, 5x5 GDN, 3000 steps of 64x64 crops: about 120 KB, trains in a minute or two on 2 cores.
# The result is deterministic up to TensorFlow's floating-point scheduling; the version name changes with the time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/codec/src/test/resources/fixture-model"
RUN="$(mktemp -d)"
trap 'rm -rf "$RUN"' EXIT
[ -f "$ROOT/trainer/target/classpath.txt" ] || (cd "$ROOT" && mvn -o -B -q -pl trainer -am install -DskipTests)
cd "$ROOT"
PKG=$(java -Djava.library.path="$ROOT/codec/target/tf-native" \
  -cp "$ROOT/trainer/target/classes:$(cat "$ROOT/trainer/target/classpath.txt")" \
  io.latentstream.trainer.cli.TrainCli --images data/photos/train --heldout data/photos/heldout \
  --N 8 --M 8 --steps 3000 --size 64x64 --batch 4 --lr 1e-3 --aux-lr 1e-2 --lambda 0.0483 --quality 4 --name fixture \
  --decay-start 0.8 --out "$RUN" 2>"$RUN.log" | tail -n 1) || { tail -n 30 "$RUN.log" >&2; exit 1; }
rm -f "$RUN.log"
rm -rf "$OUT"/fixture-*
mkdir -p "$OUT"
cp -r "$PKG" "$OUT/"
echo "$OUT/$(basename "$PKG")"
