#!/usr/bin/env bash
# Starts a long training run in the background, niced, detached from the shell.
# Usage: trainer/scripts/train-background.sh RUN_NAME [TrainCli options...]   (--out is set to .latentstream/runs/RUN_NAME)
# The trainer's classes are frozen into a jar next to the run so that rebuilding the module (or deleting
# target/) does not disturb the running JVM; the jar stays open even if its file is removed later.
# Console output: .latentstream/runs/RUN_NAME.log; progress lines also go to .latentstream/runs/RUN_NAME/progress.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME="${1:?usage: train-background.sh RUN_NAME [options]}"; shift
RUNS="$ROOT/.latentstream/runs"
NATIVE="$ROOT/codec/target/tf-native"
[ -f "$ROOT/trainer/target/classpath.txt" ] || { echo "build first: mvn -o -q -pl trainer -am install -DskipTests" >&2; exit 2; }
mkdir -p "$RUNS/$NAME"
JAR="$RUNS/$NAME/trainer-classes.jar"
(cd "$ROOT/trainer/target/classes" && jar cf "$JAR" .)
# Snapshots of the codec and schemas classes too, in place of their jars in the local repository that other builds
# rewrite while the run goes on: the export at the end scores the package through the real codec.
CODEC_JAR="$RUNS/$NAME/codec-classes.jar"
SCHEMAS_JAR="$RUNS/$NAME/schemas-classes.jar"
(cd "$ROOT/codec/target/classes" && jar cf "$CODEC_JAR" .)
(cd "$ROOT/schemas/target/classes" && jar cf "$SCHEMAS_JAR" .)
CP="$JAR:$CODEC_JAR:$SCHEMAS_JAR:$(tr ':' '\n' < "$ROOT/trainer/target/classpath.txt" | grep -v 'latentstream-codec\|latentstream-schemas' | paste -sd:)"
cd "$ROOT"
# setsid: its own session, so neither the end of the starting shell nor its scheduling group touches it.
# With sched_autogroup (Debian's default) `nice` alone only ranks threads inside one autogroup: the job's own
# autogroup must be niced too, or it takes a full share of the cores from builds and services.
setsid nice -n 19 nohup java -Xmx4g ${LATENTSTREAM_JAVA_OPTS:-} -Djava.library.path="$NATIVE" -cp "$CP" \
  io.latentstream.trainer.cli.TrainCli --out ".latentstream/runs/$NAME" "$@" >> "$RUNS/$NAME.log" 2>&1 < /dev/null &
PID=$!
echo "$PID" > "$RUNS/$NAME.pid"
sleep 1
[ -w "/proc/$PID/autogroup" ] && echo 19 > "/proc/$PID/autogroup" 2>/dev/null || true
echo "started $NAME as pid $(cat "$RUNS/$NAME.pid"); log $RUNS/$NAME.log"
