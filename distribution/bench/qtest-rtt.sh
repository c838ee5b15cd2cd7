#!/bin/sh
# qtest request round trips per second, QEMU 7.2 and jvmm side by side (same machine line, one
# request in flight, no request log on either side), median of --reps runs.
# Needs QEMU 7.2 (or --qemu none), a built tree (./test or mvn install) and Java 25. No root.
# Usage: distribution/bench/qtest-rtt.sh [--seconds S] [--reps N] [--qemu BIN|none]
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
layout=${JVMM_LAYOUT:-$repo/distribution/target/jvmm}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[ -x "$layout/bin/jvmm" ] || { echo "no jvmm layout at $layout: build it first (./test, or mvn -pl distribution -am process-test-classes)" >&2; exit 1; }
[ -d "$repo/testkit/target/classes" ] || { echo "testkit is not built: mvn -pl testkit -am install -DskipTests" >&2; exit 1; }
cp="$repo/testkit/target/classes:$(ls "$layout"/lib/slf4j-api-*.jar):$(ls "$layout"/lib/slf4j-simple-*.jar)"
exec "$java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  io.jvmm.testkit.bench.QtestBench --jvmm "$layout/bin/jvmm" "$@"
