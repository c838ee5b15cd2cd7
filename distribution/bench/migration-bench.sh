#!/bin/sh
# Migration under traffic, side by side in one run (docs/performance.md, "Migration under traffic"):
# jvmm local migration, jvmm the old way, and QEMU 7.2's ordinary migration with shared RAM and
# x-ignore-shared, each a chain of N migrations of the seed's machine with a 4-queue tap while a UDP
# stream is echoed by the guest. Medians; writes migration.md and migration.png to OUT.
#   distribution/bench/migration-bench.sh [--reps N] [--rate PPS] [--tap-queue-len FRAMES] [--out DIR] [--no-qemu]
# Needs root (network namespace, tap) and qemu-system-x86_64 (unless --no-qemu).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "migration-bench.sh: needs root (network namespaces and TAP devices)" >&2; exit 1; }
"$root/jvmm" --help >/dev/null 2>&1 || { echo "migration-bench.sh: building jvmm failed; run ./jvmm --help" >&2; exit 1; }
dist="$root/distribution/target/jvmm"
# a private copy: a build running meanwhile rewrites distribution/target
work=$(mktemp -d /tmp/jvmm-migration-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
cp -r "$dist" "$work/jvmm"
jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$jdk/bin/java" ] || jdk=/usr/lib/jvm/temurin-25-jdk-amd64
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r)" >&2
out=bench-results
prev=
for a in "$@"; do [ "$prev" = --out ] && out=$a; prev=$a; done
# the JVM flags bin/jvmm gives the demo (serial GC: no concurrent GC threads on the 2 cores)
"$jdk/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmn24m -Djvmm.home="$work/jvmm" -cp "$work/jvmm/lib/*" \
  io.jvmm.demo.MigrationBench "$@"
# one chart writer for every benchmark (BarChart.java, the JDK alone)
"$jdk/bin/java" "$root/distribution/bench/BarChart.java" "$out/migration.png" \
  "Migration under UDP load: medians (QEMU 7.2 first)" < "$out/migration.tsv"
