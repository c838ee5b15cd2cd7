#!/usr/bin/env python3
"""Start-up to QMP greeting and idle resident memory: QEMU and jvmm side by side.

Run through startup.sh, which finds QEMU, Java and the jvmm distribution. Every repetition starts each
variant once, in turn, so a busy machine slows all of them alike; the table reports medians.

Measured per start:
  start-up  from just before fork/exec of the VMM to the first line of the QMP greeting read from its
            socket (the socket is polled every 0.5 ms, so the figure is at most that much late);
  RSS       VmRSS from /proc/PID/status, summed over the VMM's process tree, after the greeting and
            IDLE seconds of idling (a launcher that execs leaves one process).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from vmm_probe import VmmFailed, Vmm, jar_class_path_dirs, launcher_java_argv, train


def brief(error):
    """First and last line of a failure, for a table cell."""
    lines = [l.strip() for l in str(error).splitlines() if l.strip()]
    return " ... ".join(dict.fromkeys([lines[0], lines[-1]])).replace("|", "/") if lines else "failed"


def machine(qemu, java):
    """One line naming the machine and the software, for the report."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    qemu_version = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    java_version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.splitlines()
    return (f"Machine: {os.cpu_count()} CPUs, {cpu}, Linux {os.uname().release}, load average {load} at the end; "
            f"{qemu_version}; {java_version[1] if len(java_version) > 1 else 'java unknown'}.")


def chart(png, java, variants, results):
    """Medians and ratios to QEMU as a PNG, drawn by BarChart.java with the JDK alone."""
    panels = (("startup_ms", "Start-up to QMP greeting (median, ms)", "ms"),
              ("cpu_ms", "CPU time to greeting (median, ms)", "ms"),
              ("rss_mib", "Idle RSS (median, MiB)", "MiB"))
    base = results[variants[0][0]]
    rows = []
    for key, title, unit in panels:
        for name, _, _ in variants:
            values = results[name][key]
            if values and not results[name]["error"]:
                m = median(values)
                rows.append(f"{title}\t{name}\t{m:.3f}\t{m:.0f} {unit} ({m / median(base[key]):.2f}x QEMU)")
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "BarChart.java")
    done = subprocess.run([java, "-Djava.awt.headless=true", source, png, "jvmm and QEMU 7.2: start-up and idle memory"],
                          input="\n".join(rows) + "\n", text=True)
    if done.returncode != 0:
        print(f"startup_bench: no chart drawn (BarChart.java exited {done.returncode})", file=sys.stderr)
    else:
        print(f"chart written to {png}", file=sys.stderr)


def write_doc(path, report):
    begin, end = "<!-- startup:results:begin -->", "<!-- startup:results:end -->"
    with open(path) as f:
        text = f.read()
    if begin not in text or end not in text:
        sys.exit(f"startup_bench: {path} has no {begin} ... {end} markers to replace")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(f"{head}{begin}\n{report}\n{end}{tail}")
    print(f"results written to {path}", file=sys.stderr)


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--qemu", required=True)
    p.add_argument("--jvmm-launcher", help="bin/jvmm of a distribution without lib/jvmm.aot; omit when there is none")
    p.add_argument("--jvmm-shipped-launcher", help="bin/jvmm of the same distribution with the build's AOT cache")
    p.add_argument("--jvmm-unavailable", default="", help="why jvmm is not measured (shown in the table)")
    p.add_argument("--java", default="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java",
                   help="the java binary the AOT and AppCDS variants run (the launcher's own)")
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--idle", type=float, default=1.0)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--no-aot", action="store_true")
    p.add_argument("--json-out")
    p.add_argument("--chart", metavar="PNG", help="also draw the medians as a bar chart (BarChart.java)")
    p.add_argument("--write-doc", metavar="MARKDOWN",
                   help="replace the results between the startup:results markers in this file (docs/performance.md)")
    args = p.parse_args()
    if args.reps < 1:
        p.error("--reps must be at least 1")

    vmm_args = ["-machine", "none", "-nodefaults", "-display", "none", "-qmp", "unix:{sock},server=on,wait=off"]
    variants = [("QEMU 7.2", [args.qemu] + vmm_args, "")]
    notes = {}
    work = tempfile.mkdtemp(prefix="jvmm-startup-")
    if args.jvmm_launcher:
        variants.append(("jvmm, no cache", [args.jvmm_launcher] + vmm_args, ""))
        if args.jvmm_shipped_launcher:
            variants.append(("jvmm as built (its AOT cache)", [args.jvmm_shipped_launcher] + vmm_args, ""))
        else:
            variants.append(("jvmm as built (its AOT cache)", None, "the build recorded no lib/jvmm.aot"))
        if not args.no_aot:
            java_argv = launcher_java_argv(args.jvmm_launcher, vmm_args, work)
            java_argv = [args.java] + java_argv
            cached = jar_class_path_dirs(java_argv, work)
            flags_at = 1
            aot = os.path.join(work, "jvmm.aot")
            cds = os.path.join(work, "jvmm.jsa")
            for name, train_flag, use_flag, archive in (
                    ("jvmm + AOT cache trained here", f"-XX:AOTCacheOutput={aot}", f"-XX:AOTCache={aot}", aot),
                    ("jvmm + AppCDS trained here", f"-XX:ArchiveClassesAtExit={cds}", f"-XX:SharedArchiveFile={cds}", cds)):
                base = cached
                if archive == aot:  # AOT flags refuse any -Xshare setting; the cache implies sharing
                    base = [a for a in cached if not a.startswith("-Xshare:")]
                training = base[:flags_at] + [train_flag] + base[flags_at:]
                print(f"training {name}...", file=sys.stderr, flush=True)
                try:
                    started = time.monotonic()
                    train(training, work, args.timeout, name)
                    if not os.path.exists(archive):
                        raise VmmFailed(f"no archive written; see {os.path.join(work, 'vmm.log')}")
                    notes[name] = (f"archive {os.path.getsize(archive) / 2**20:.0f} MiB, training run "
                                   f"{time.monotonic() - started:.0f} s")
                    variants.append((name, base[:flags_at] + [use_flag] + base[flags_at:], ""))
                except VmmFailed as e:
                    variants.append((name, None, f"training failed: {brief(e)}"))
    else:
        variants.append(("jvmm", None, args.jvmm_unavailable or "not built"))

    results = {name: {"startup_ms": [], "cpu_ms": [], "rss_mib": [], "error": reason} for name, _, reason in variants}
    # one warm-up round (page cache, first-run effects), then the measured rounds, variants interleaved
    for rep in range(args.reps + 1):
        for name, argv, _ in variants:
            r = results[name]
            if argv is None or r["error"]:
                continue
            try:
                vmm = Vmm(argv, work, args.timeout)
            except VmmFailed as e:
                r["error"] = brief(e)
                print(f"{name}: {e}", file=sys.stderr)
                continue
            time.sleep(args.idle)
            rss = vmm.rss_mib()
            vmm.quit(10)
            if rep > 0:
                r["startup_ms"].append(vmm.startup_ms)
                r["cpu_ms"].append(vmm.startup_cpu_ms)
                r["rss_mib"].append(rss)
        print(f"round {rep}/{args.reps} done", file=sys.stderr, flush=True)

    base = results[variants[0][0]]
    base_startup, base_cpu, base_rss = (median(base[k]) for k in ("startup_ms", "cpu_ms", "rss_mib"))
    rows = ["| VMM | start-up to QMP greeting, median (min-max) | ratio to QEMU | CPU time to greeting, median "
            "| ratio to QEMU | idle RSS, median | ratio to QEMU |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, _, _ in variants:
        r = results[name]
        if r["error"] or not r["startup_ms"]:
            rows.append(f"| {name} | unavailable: {r['error'] or 'no result'} | | | | | |")
            continue
        s, c, m = median(r["startup_ms"]), median(r["cpu_ms"]), median(r["rss_mib"])
        rows.append(f"| {name} | {s:.0f} ms ({min(r['startup_ms']):.0f}-{max(r['startup_ms']):.0f}) "
                    f"| {s / base_startup:.2f} | {c:.0f} ms | {c / base_cpu:.2f} | {m:.1f} MiB | {m / base_rss:.2f} |")
    report = [machine(args.qemu, args.java), ""] + rows + [""]
    report += [f"{name}: {note}." for name, note in notes.items()]
    report.append(f"{args.reps} repetitions each after one warm-up round, variants interleaved; RSS read after "
                  f"{args.idle:g} s idle. Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.")
    print("\n".join(report))
    if args.chart:
        chart(args.chart, args.java, variants, results)
    if args.write_doc:
        write_doc(args.write_doc, "\n".join(report))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"reps": args.reps, "idle_s": args.idle, "results": results, "notes": notes}, f, indent=1)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
