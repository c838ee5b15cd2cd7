#!/usr/bin/env python3
"""Make a JDK 25 AOT cache for a jvmm installation with one training run of its own launcher.

    make_aot_cache.py --launcher LAYOUT/bin/jvmm --output LAYOUT/lib/jvmm.aot [--java JAVA]

The training run is the launcher's exact java command line (captured, not copied) with -Xshare:* removed
(the JVM refuses it beside AOT flags) and -XX:AOTCacheOutput=OUTPUT added: it starts `-machine none` with a QMP
socket, answers a management client's first queries, and quits; the JVM assembles the cache as it exits.
A launcher then runs the same command line with -XX:AOTCache=OUTPUT instead of -Xshare:auto
(docs/performance.md, "Start-up and idle memory", says how). The class path must hold no non-empty directory:
CDS and AOT refuse those, so this script stops and says so.
"""
import argparse
import os
import shutil
import sys
import tempfile

from vmm_probe import VmmFailed, launcher_java_argv, train

VMM_ARGS = ["-machine", "none", "-nodefaults", "-display", "none", "-qmp", "unix:{sock},server=on,wait=off"]


def class_path_dirs(argv):
    for flag in ("-cp", "-classpath", "--class-path"):
        if flag in argv:
            entries = argv[argv.index(flag) + 1].split(":")
            return [e for e in entries if os.path.isdir(e) and os.listdir(e)]
    return []


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--launcher", required=True, help="bin/jvmm of the installation")
    p.add_argument("--output", required=True, help="the cache file to write, e.g. LAYOUT/lib/jvmm.aot")
    p.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"),
                                                  "bin", "java"))
    p.add_argument("--timeout", type=float, default=120.0)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="jvmm-aot-")
    try:
        argv = launcher_java_argv(args.launcher, VMM_ARGS, work)
        dirs = class_path_dirs(argv)
        if dirs:
            sys.exit(f"make_aot_cache: the launcher puts directories on the class path ({', '.join(dirs)}); the JVM "
                     "makes no AOT cache for such a class path. Move their files into a jar, or pass them another "
                     "way (e.g. conf/jvm.options as a java @argument file)")
        argv = [args.java] + argv
        argv = [a for a in argv if not a.startswith("-Xshare:")]
        output = os.path.abspath(args.output)
        if os.path.exists(output):
            os.unlink(output)
        train(argv[:1] + [f"-XX:AOTCacheOutput={output}"] + argv[1:], work, args.timeout, "AOT")
        if not os.path.exists(output):
            sys.exit(f"make_aot_cache: the training run wrote no cache; its output:\n"
                     f"{open(os.path.join(work, 'vmm.log'), errors='replace').read()[-2000:]}")
        print(f"wrote {output} ({os.path.getsize(output) / 2**20:.0f} MiB)")
    except VmmFailed as e:
        sys.exit(f"make_aot_cache: the training run failed: {e}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
