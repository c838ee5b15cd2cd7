#!/bin/sh
# Packets per second through virtio-net-pci + a 4-queue tap: QEMU 7.2 and jvmm side by side.
# guest->host and host->guest, 64- and 1514-byte frames, 1 and 4 queue pairs, median of --reps runs.
# Needs root (network namespace + tap), QEMU 7.2, a built tree (./test or mvn install) and Java 25.
# Usage: distribution/bench/virtio-net-pps.sh [--seconds S] [--reps N] [--qemu BIN|none]
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
layout=${JVMM_LAYOUT:-$repo/distribution/target/jvmm}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[ -x "$layout/bin/jvmm" ] || { echo "no jvmm layout at $layout: build it first (./test, or mvn -pl distribution -am process-test-classes)" >&2; exit 1; }
[ -d "$repo/testkit/target/classes" ] || { echo "testkit is not built: mvn -pl testkit -am install -DskipTests" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root: the benchmark creates a network namespace with a tap" >&2; exit 1; }
cp="$repo/testkit/target/classes:$(ls "$layout"/lib/slf4j-api-*.jar):$(ls "$layout"/lib/slf4j-simple-*.jar)"
exec "$java" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  io.jvmm.testkit.net.NetBench --jvmm "$layout/bin/jvmm" "$@"
