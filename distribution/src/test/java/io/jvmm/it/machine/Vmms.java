package io.jvmm.it.machine;

import io.jvmm.it.support.JvmmProcess;
import io.jvmm.testkit.QtestVm;
import io.jvmm.testkit.Requirements;
import io.jvmm.testkit.VmLauncher;
import java.io.IOException;
import java.util.List;

/**
 * The two VMMs a conformance test runs side by side, from the same QEMU-style arguments: QEMU 7.2
 * (the reference) and jvmm from the distribution layout. Both get the halt-only firmware so the
 * command lines are identical (jvmm maps it as ROM; its qtest accelerator has no CPU to run it).
 */
final class Vmms {
    private Vmms() {
    }

    static VmLauncher qemu(String... args) {
        Requirements.requireQemu();
        return VmLauncher.qemu().args(args);
    }

    static VmLauncher jvmm(String... args) {
        return VmLauncher.jvmm(List.of(JvmmProcess.executable().toString())).haltFirmware(true).args(args);
    }

    /** Starts both; if the second fails the first is closed. Close both in the caller. */
    static QtestVm[] both(java.util.function.UnaryOperator<VmLauncher> setup) throws IOException {
        QtestVm q = setup.apply(qemu()).start();
        try {
            return new QtestVm[] {q, setup.apply(jvmm()).start()};
        } catch (IOException | RuntimeException e) {
            q.close();
            throw e;
        }
    }
}
