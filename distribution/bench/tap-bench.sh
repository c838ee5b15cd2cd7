#!/bin/sh
# Frames per second through the tap backend beside a minimal single-threaded poll/read/write
# loop, in one run (see docs/tap.md). Needs root, /dev/net/tun and iproute2; creates and removes
# its own network namespaces and taps.
#   distribution/bench/tap-bench.sh [seconds-of-echo-per-round] [--virtual] [--handover] [--threads]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$ROOT"
mvn -q -o -pl plugins/tap -am install -DskipTests
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
mvn -q -o -pl plugins/tap dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "plugins/tap/target/test-classes:plugins/tap/target/classes:$(cat "$CP_FILE")" \
  io.jvmm.plugin.tap.TapBench "$@"
