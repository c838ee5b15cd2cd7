package io.jvmm.core.launcher;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a clean shutdown request. A JVM shutdown hook would run too, but the
 * process would then exit with 143/130; QEMU exits 0 on these signals, and so does jvmm.
 */
final class Signals {
    private Signals() {
    }

    static void onTermination(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> action.run());
        }
    }
}
