#!/bin/sh
# Start-up to QMP greeting and idle resident memory, QEMU and jvmm side by side in one run
# (docs/performance.md, "Start-up and idle memory"). Both get the same command line:
#   -machine none -nodefaults -display none -qmp unix:SOCKET,server=on,wait=off
# jvmm is measured without a class-data cache, as built (with the AOT cache the build records, if any), and
# with an AOT cache and an AppCDS archive each made here by one training run on this very command line.
#   distribution/bench/startup.sh [--reps N] [--idle SECONDS] [--no-aot] [--json-out FILE]
#                                 [--chart docs/performance/startup.png] [--write-doc docs/performance.md]
# Needs python3 and qemu-system-x86_64; builds the distribution through ./jvmm if it is missing.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${QEMU:-/usr/bin/qemu-system-x86_64}

command -v python3 >/dev/null 2>&1 || { echo "startup.sh: needs python3 (apt-get install python3)" >&2; exit 1; }
[ -x "$qemu" ] || { echo "startup.sh: no QEMU at $qemu: apt-get install qemu-system-x86, or set QEMU=PATH" >&2; exit 1; }

jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
dist="$root/distribution/target/jvmm"
[ -x "$dist/bin/jvmm" ] || { echo "startup.sh: building the jvmm distribution..." >&2; "$root/jvmm" --help >/dev/null 2>&1 || true; }

# Measure a private copy: a build running meanwhile (./jvmm, ./test) rewrites distribution/target, and the
# AOT and CDS archives are only valid for the exact jars they were made from.
work=$(mktemp -d /tmp/jvmm-startup-dist.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
launcher=
listing() { (cd "$1" 2>/dev/null && find lib plugins bin -type f -printf '%p %s\n' 2>/dev/null | sort); }
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  # a copy is complete when the layout did not change while it was taken
  if ls "$dist"/lib/jvmm-core-*.jar >/dev/null 2>&1 && [ -x "$dist/bin/jvmm" ]; then
    before=$(listing "$dist")
    rm -rf "$work/jvmm"
    cp -a "$dist" "$work/jvmm" 2>/dev/null || true  # -a: class-data caches check the jars' times
    if [ "$before" = "$(listing "$dist")" ] && [ "$before" = "$(listing "$work/jvmm")" ]; then
      launcher="$work/jvmm/bin/jvmm"
      break
    fi
  fi
  echo "startup.sh: the distribution is being rebuilt; waiting for a complete layout ($attempt/10)" >&2
  sleep 15
done

if [ -n "$launcher" ]; then
  # the same layout without the build's AOT cache: jvmm as it starts without any class-data cache
  cp -a "$work/jvmm" "$work/jvmm-nocache"
  rm -f "$work/jvmm-nocache/lib/jvmm.aot"
  if [ ! -f "$work/jvmm/lib/jvmm.aot" ] && grep -q JVMM_AOT_OUTPUT "$launcher"; then
    # the layout was copied between a build's clean-up and its training run: train the copy the way the build does
    echo "startup.sh: recording jvmm's AOT cache as the build does (bin/jvmm aot-training)..." >&2
    JVMM_AOT_OUTPUT="$work/jvmm/lib/jvmm.aot" "$launcher" aot-training >"$work/aot-training.log" 2>&1 \
      || echo "startup.sh: the build's AOT training failed; see the table" >&2
  fi
  shipped=
  [ -f "$work/jvmm/lib/jvmm.aot" ] && shipped="--jvmm-shipped-launcher $launcher"
  python3 "$root/distribution/bench/startup_bench.py" --qemu "$qemu" \
    --jvmm-launcher "$work/jvmm-nocache/bin/jvmm" $shipped --java "$jdk/bin/java" "$@"
else
  python3 "$root/distribution/bench/startup_bench.py" --qemu "$qemu" \
    --java "$jdk/bin/java" --jvmm-unavailable "no complete distribution at $dist (./jvmm --help builds it)" "$@"
fi
