package io.jvmm.demo;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code ./jvmm demo} is asked to do.
 *
 * @param queues tap queues = virtio-net queue pairs
 * @param rate UDP packets per second from the namespace to the guest, over all flows
 * @param flows UDP flows (source ports); the kernel steers each to one tap queue
 * @param rounds migrations in a row (A to B, B to C, ...); 2 is there and back
 * @param payload UDP payload bytes
 * @param oldWay also run one migration the old way (local off, the target opens its own queues)
 * @param memoryMib guest RAM, shared between the processes through a /dev/shm file
 * @param jvmm the command that starts a jvmm VMM
 * @param qemu run the scenario on QEMU 7.2 instead (ordinary migration only: the reference figures)
 * @param ordinaryOnly every round the old way (benchmarks); QEMU implies it
 * @param tapQueueLength frames each tap queue holds for the VMM before the kernel drops
 *     ({@code txqueuelen}; the kernel's default is 1000)
 */
public record DemoOptions(int queues, int rate, int flows, int rounds, int payload, boolean oldWay, int memoryMib,
        List<String> jvmm, boolean qemu, boolean ordinaryOnly, int tapQueueLength) {

    /** What the demo sets unless told otherwise; why: docs/demo.md, "Tap queue length". */
    public static final int DEFAULT_TAP_QUEUE_LENGTH = 8192;

    /** The same scenario with {@code rounds} migrations, all local or all the old way, on jvmm or QEMU. */
    public DemoOptions variant(int newRounds, boolean ordinary, boolean onQemu) {
        return new DemoOptions(queues, rate, flows, newRounds, payload, false, memoryMib, jvmm, onQemu, ordinary || onQemu,
                tapQueueLength);
    }

    public static final String USAGE = """
            usage: jvmm demo [--queues N] [--rate PPS] [--flows N] [--rounds N] [--size BYTES] [--old-way]
                            [--tap-queue-len FRAMES]
              Local migration of a TAP-backed virtio-net NIC under a UDP stream, in a private network namespace.
              --queues N   tap queues and NIC queue pairs (default 4, 1..8)
              --rate PPS   UDP packets per second to the guest (default 20000)
              --flows N    UDP flows, spread by the kernel over the queues (default 8)
              --rounds N   migrations in a row, A to B to C ... (default 2: there and back)
              --size BYTES UDP payload size (default 64, 16..1400)
              --old-way    also migrate once the old way (no local migration) to show the difference
              --tap-queue-len FRAMES
                           frames each tap queue buffers for the VMM (txqueuelen; default 8192, the
                           kernel's own default is 1000; see docs/demo.md, "Tap queue length")
            Needs root (network namespaces and TAP devices).""";

    public static DemoOptions parse(List<String> args, List<String> jvmm) {
        int queues = 4;
        int rate = 20000;
        int flows = 8;
        int rounds = 2;
        int payload = 64;
        boolean oldWay = false;
        int tapQueueLength = DEFAULT_TAP_QUEUE_LENGTH;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--queues" -> queues = intArg(args, ++i, a, 1, 8);
                case "--rate" -> rate = intArg(args, ++i, a, 1, 200_000);
                case "--flows" -> flows = intArg(args, ++i, a, 1, 64);
                case "--rounds" -> rounds = intArg(args, ++i, a, 1, 20);
                case "--size" -> payload = intArg(args, ++i, a, 16, 1400);
                case "--old-way" -> oldWay = true;
                case "--tap-queue-len" -> tapQueueLength = intArg(args, ++i, a, 16, 65_536);
                case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        return new DemoOptions(queues, rate, flows, rounds, payload, oldWay, 256, jvmm, false, false, tapQueueLength);
    }

    private static int intArg(List<String> args, int i, String name, int min, int max) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(name + " needs a number");
        }
        try {
            int v = Integer.parseInt(args.get(i));
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, got '" + args.get(i) + "'");
        }
    }

    /** The jvmm launcher next to this distribution ({@code JVMM_HOME/bin/jvmm}). */
    public static List<String> defaultJvmm() {
        String home = System.getProperty("jvmm.home", System.getenv("JVMM_HOME"));
        if (home == null) {
            throw new IllegalStateException("cannot find jvmm: set JVMM_HOME to the distribution (run it as ./jvmm demo)");
        }
        return List.of(Path.of(home, "bin", "jvmm").toString());
    }
}
