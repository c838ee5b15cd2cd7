package io.jvmm.plugin.tap;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;

/**
 * What the tap tests need from the host: root, /dev/net/tun and iproute2. Without them the tests
 * skip, unless JVMM_REQUIRE_ALL=1, when they fail saying what is missing.
 */
final class TapTestEnv {

    private TapTestEnv() {
    }

    static void requireTap() {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root (CAP_NET_ADMIN)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun");
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            missing.add("iproute2 (ip)");
        }
        if (missing.isEmpty()) {
            return;
        }
        String msg = "tap tests need " + String.join(", ", missing);
        if ("1".equals(System.getenv("JVMM_REQUIRE_ALL"))) {
            fail(msg + " (JVMM_REQUIRE_ALL=1)");
        }
        Assumptions.assumeTrue(false, msg);
    }

    /** A short unique interface or namespace name: prefix plus random hex (fits IFNAMSIZ). */
    static String uniqueName(String prefix) {
        return prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    }

    /** Runs a command, returns its output; fails on a non-zero status. */
    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out;
            try (var in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + rc + "): " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like run, but returns null instead of failing. */
    static String tryRun(String... command) {
        try {
            return run(command);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    static boolean linkExists(String ifname) {
        return tryRun("ip", "link", "show", "dev", ifname) != null;
    }

    /** Open descriptors of this JVM. */
    static int openFds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Descriptor number to what it points at, for leak messages. */
    static java.util.Map<String, String> fdTable() {
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> {
                try {
                    m.put(p.getFileName().toString(), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // closed meanwhile (the listing's own descriptor)
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    /**
     * The descriptor table once it equals {@code expected}, or after 5 s: the JDK closes a finished
     * child process's pipe from its reaper thread, a moment after waitFor() returns.
     */
    static java.util.Map<String, String> fdTableSettled(java.util.Map<String, String> expected) {
        long deadline = System.currentTimeMillis() + 5000;
        while (true) {
            var now = fdTable();
            if (now.keySet().equals(expected.keySet()) || System.currentTimeMillis() > deadline) {
                return now;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return now;
            }
        }
    }

    /** Runs {@code body} on a fresh platform thread that entered network namespace {@code ns}. */
    static <T> T inNetns(String ns, Callable<T> body) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + ns).start(() -> {
            try {
                TestLibC.enterNetns(ns);
                result.set(body.call());
            } catch (Throwable e) {
                error.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (error.get() != null) {
            throw new IllegalStateException("in netns " + ns + ": " + error.get(), error.get());
        }
        return result.get();
    }
}
