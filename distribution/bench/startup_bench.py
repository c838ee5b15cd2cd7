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
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

POLL_S = 0.0005


class VmmFailed(Exception):
    """A VMM that did not reach its QMP greeting; the message carries the tail of its output."""


def process_tree(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may contain spaces and parentheses: fields resume after the last ')'
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree = [root]
    for pid in tree:
        tree.extend(children.get(pid, []))
    return tree


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def log_tail(path, lines=15):
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
    except OSError:
        return "(no output)"


class Vmm:
    """One started VMM process with a QMP connection that has read the greeting."""

    def __init__(self, argv, workdir, timeout):
        self.sock_path = os.path.join(workdir, "qmp.sock")
        self.log_path = os.path.join(workdir, "vmm.log")
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
        argv = [a.replace("{sock}", self.sock_path) for a in argv]
        deadline = time.monotonic() + timeout
        with open(self.log_path, "wb") as log:
            started = time.perf_counter_ns()
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self.sock = self._connect(deadline)
        self.sock.settimeout(max(0.1, deadline - time.monotonic()))
        data = b""
        while b"\n" not in data:
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                chunk = b""
            if not chunk:
                self.kill()
                raise VmmFailed(f"no QMP greeting on {self.sock_path}:\n{log_tail(self.log_path)}")
            data += chunk
        self.startup_ms = (time.perf_counter_ns() - started) / 1e6
        greeting = json.loads(data.split(b"\n")[0])
        if "QMP" not in greeting:
            self.kill()
            raise VmmFailed(f"not a QMP greeting: {greeting}")
        self.buffer = data[data.index(b"\n") + 1:]

    def _connect(self, deadline):
        while True:
            if self.process.poll() is not None:
                raise VmmFailed(f"exited with {self.process.returncode} before its QMP socket "
                                f"accepted:\n{log_tail(self.log_path)}")
            if time.monotonic() > deadline:
                self.kill()
                raise VmmFailed(f"no QMP socket within the timeout:\n{log_tail(self.log_path)}")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock_path)
                return s
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                time.sleep(POLL_S)

    def rss_mib(self):
        return sum(rss_kib(pid) for pid in process_tree(self.process.pid)) / 1024

    def execute(self, command, arguments=None):
        message = {"execute": command}
        if arguments is not None:
            message["arguments"] = arguments
        self.sock.sendall(json.dumps(message).encode() + b"\n")
        while True:
            while b"\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise VmmFailed(f"connection closed while waiting for {command}")
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\n", 1)
            if not line.strip():
                continue
            reply = json.loads(line)
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise VmmFailed(f"{command}: {reply['error']}")

    def quit(self, wait_s):
        """Asks the VMM to quit and waits; an AOT training run writes its cache during this wait."""
        try:
            self.execute("qmp_capabilities")
            self.sock.sendall(b'{"execute":"quit"}\n')
        except (OSError, VmmFailed):
            pass
        try:
            self.process.wait(wait_s)
        except subprocess.TimeoutExpired:
            self.kill()
        self.sock.close()

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def launcher_java_argv(launcher, vmm_args, workdir):
    """The exact java command line the jvmm launcher runs, captured with a stand-in JDK that records it.

    That way the variants below add their flags to whatever the launcher does today, not to a copy of it."""
    fake = os.path.join(workdir, "recording-jdk")
    os.makedirs(os.path.join(fake, "bin"), exist_ok=True)
    with open(os.path.join(fake, "release"), "w") as f:
        f.write('JAVA_VERSION="25"\n')
    record = os.path.join(workdir, "argv")
    java = os.path.join(fake, "bin", "java")
    with open(java, "w") as f:
        f.write('#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done > ' + shlex.quote(record) + "\n")
    os.chmod(java, 0o755)
    env = dict(os.environ, JAVA_HOME=fake)
    subprocess.run([launcher] + vmm_args, env=env, check=True, stdin=subprocess.DEVNULL)
    with open(record, "rb") as f:
        return [a.decode() for a in f.read().split(b"\0")[:-1]]


def jar_class_path_dirs(java_args, workdir):
    """CDS and AOT caches refuse non-empty directories on the class path: pack each into a jar, same content."""
    args = list(java_args)
    for flag in ("-cp", "-classpath", "--class-path"):
        if flag in args:
            i = args.index(flag) + 1
            entries = []
            for n, entry in enumerate(args[i].split(":")):
                if os.path.isdir(entry) and os.listdir(entry):
                    jar = os.path.join(workdir, f"classpath-dir-{n}.jar")
                    with zipfile.ZipFile(jar, "w") as z:
                        for base, _, files in os.walk(entry):
                            for name in files:
                                full = os.path.join(base, name)
                                z.write(full, os.path.relpath(full, entry))
                    entry = jar
                entries.append(entry)
            args[i] = ":".join(entries)
    return args


def train(argv, workdir, timeout, what):
    """One training run: start, greet, a few queries as a management client would, quit; the JVM writes the
    archive at exit."""
    vmm = Vmm(argv, workdir, timeout)
    vmm.execute("qmp_capabilities")
    for command in ("query-status", "query-version", "query-commands", "query-migrate",
                    "query-migrate-parameters", "query-migrate-capabilities"):
        try:
            vmm.execute(command)
        except VmmFailed:
            pass  # training only: an unknown command still exercises the error path
    vmm.sock.sendall(b'{"execute":"quit"}\n')
    try:
        vmm.process.wait(max(timeout, 180))
    except subprocess.TimeoutExpired:
        vmm.kill()
        raise VmmFailed(f"{what} training run did not exit")
    vmm.sock.close()


def brief(error):
    """First and last line of a failure, for a table cell."""
    lines = [l.strip() for l in str(error).splitlines() if l.strip()]
    return " ... ".join(dict.fromkeys([lines[0], lines[-1]])).replace("|", "/") if lines else "failed"


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--qemu", required=True)
    p.add_argument("--jvmm-launcher", help="bin/jvmm of a built distribution; omit when there is none")
    p.add_argument("--jvmm-unavailable", default="", help="why jvmm is not measured (shown in the table)")
    p.add_argument("--java", default="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java",
                   help="the java binary the AOT and AppCDS variants run (the launcher's own)")
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--idle", type=float, default=1.0)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--no-aot", action="store_true")
    p.add_argument("--json-out")
    args = p.parse_args()
    if args.reps < 1:
        p.error("--reps must be at least 1")

    vmm_args = ["-machine", "none", "-nodefaults", "-display", "none", "-qmp", "unix:{sock},server=on,wait=off"]
    variants = [("QEMU 7.2", [args.qemu] + vmm_args, "")]
    notes = {}
    work = tempfile.mkdtemp(prefix="jvmm-startup-")
    if args.jvmm_launcher:
        variants.append(("jvmm (bin/jvmm)", [args.jvmm_launcher] + vmm_args, ""))
        if not args.no_aot:
            java_argv = launcher_java_argv(args.jvmm_launcher, vmm_args, work)
            java_argv[0] = args.java
            cached = jar_class_path_dirs(java_argv, work)
            flags_at = 1
            aot = os.path.join(work, "jvmm.aot")
            cds = os.path.join(work, "jvmm.jsa")
            for name, train_flag, use_flag, archive in (
                    ("jvmm + AOT cache", f"-XX:AOTCacheOutput={aot}", f"-XX:AOTCache={aot}", aot),
                    ("jvmm + AppCDS", f"-XX:ArchiveClassesAtExit={cds}", f"-XX:SharedArchiveFile={cds}", cds)):
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

    results = {name: {"startup_ms": [], "rss_mib": [], "error": reason} for name, _, reason in variants}
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
                r["rss_mib"].append(rss)
        print(f"round {rep}/{args.reps} done", file=sys.stderr, flush=True)

    base = results[variants[0][0]]
    base_startup, base_rss = median(base["startup_ms"]), median(base["rss_mib"])
    rows = ["| VMM | start-up to QMP greeting, median (min-max) | ratio to QEMU | idle RSS, median | ratio to QEMU |",
            "| --- | --- | --- | --- | --- |"]
    for name, _, _ in variants:
        r = results[name]
        if r["error"] or not r["startup_ms"]:
            rows.append(f"| {name} | unavailable: {r['error'] or 'no result'} | | | |")
            continue
        s, m = median(r["startup_ms"]), median(r["rss_mib"])
        rows.append(f"| {name} | {s:.0f} ms ({min(r['startup_ms']):.0f}-{max(r['startup_ms']):.0f}) "
                    f"| {s / base_startup:.2f} | {m:.1f} MiB | {m / base_rss:.2f} |")
    print("\n".join(rows))
    for name, note in notes.items():
        print(f"\n{name}: {note}", end="")
    print(f"\n\n{args.reps} repetitions each after one warm-up, variants interleaved; idle {args.idle:g} s "
          f"before reading RSS.")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"reps": args.reps, "idle_s": args.idle, "results": results, "notes": notes}, f, indent=1)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
