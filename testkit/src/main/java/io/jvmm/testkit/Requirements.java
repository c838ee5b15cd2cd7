package io.jvmm.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The project's rule for tests that need something of the host (QEMU, root, TAP): skip when it is
 * missing, unless {@code JVMM_REQUIRE_ALL=1} is set (CI), then fail saying what is missing.
 */
public final class Requirements {
    private Requirements() {
    }

    public static boolean requireAll() {
        return "1".equals(System.getenv("JVMM_REQUIRE_ALL"));
    }

    /** Skips (or fails under JVMM_REQUIRE_ALL=1) unless {@code present}; {@code what} names the need. */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (requireAll()) {
            Assertions.fail("JVMM_REQUIRE_ALL=1 but " + what + " is missing");
        }
        Assumptions.abort(what + " is missing; skipped (set JVMM_REQUIRE_ALL=1 to make this a failure)");
    }

    public static void requireQemu() {
        require(VmLauncher.qemuAvailable(), "QEMU (" + VmLauncher.QEMU_BINARY + ", Debian package qemu-system-x86)");
    }
}
