package io.jvmm.plugin.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Native calls only tests need: entering a network namespace and dropping a capability, per thread. */
@SuppressWarnings("restricted") // native downcalls are this class's job
final class TestLibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CAPGET = LINKER.downcallHandle(LINKER.defaultLookup().find("capget").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle CAPSET = LINKER.downcallHandle(LINKER.defaultLookup().find("capset").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    static final int CLONE_NEWNET = 0x40000000;
    static final int CAP_NET_ADMIN = 12;
    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    private TestLibC() {
    }

    /** Moves the calling thread (only it) into the network namespace /var/run/netns/NAME. */
    static void enterNetns(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = TapNative.newCallState(arena);
            int fd = TapNative.open(state, arena.allocateFrom("/var/run/netns/" + name), TapNative.O_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("open netns " + name + ": " + TapNative.describe(TapNative.errno(state)));
            }
            try {
                int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
                if (rc != 0) {
                    throw new IllegalStateException("setns " + name + " failed");
                }
            } finally {
                TapNative.close(state, fd);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Removes a capability from the calling thread's effective set (other threads keep it). */
    static void dropEffectiveCapability(int cap) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(8, 4);
            header.set(ValueLayout.JAVA_INT, 0, LINUX_CAPABILITY_VERSION_3);
            header.set(ValueLayout.JAVA_INT, 4, 0);
            MemorySegment data = arena.allocate(24, 4); // two {effective, permitted, inheritable}
            if ((int) CAPGET.invokeExact(header, data) != 0) {
                throw new IllegalStateException("capget failed");
            }
            int word = cap / 32;
            long off = word * 12L;
            data.set(ValueLayout.JAVA_INT, off, data.get(ValueLayout.JAVA_INT, off) & ~(1 << (cap % 32)));
            if ((int) CAPSET.invokeExact(header, data) != 0) {
                throw new IllegalStateException("capset failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
