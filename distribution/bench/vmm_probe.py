"""Start a VMM, time it to its QMP greeting, talk QMP to it, and make JVM class-data archives for jvmm.

Shared by startup_bench.py (the side-by-side benchmark) and make_aot_cache.py (the cache a launcher can use).
"""
import json
import os
import shlex
import signal
import socket
import subprocess
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


def cpu_ms(pid):
    """CPU time of the live threads of a process (schedstat, nanoseconds): unlike wall-clock time it hardly
    grows when other work competes for the cores."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e6


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
        self.startup_cpu_ms = sum(cpu_ms(pid) for pid in process_tree(self.process.pid))
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
    """The arguments the jvmm launcher passes to java (without the java binary itself), captured with a stand-in
    JDK that records them.

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
