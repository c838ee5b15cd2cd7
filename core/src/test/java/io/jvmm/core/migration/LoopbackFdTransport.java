package io.jvmm.core.migration;

import io.jvmm.spi.migration.MigrationChannel;
import io.jvmm.spi.migration.MigrationListener;
import io.jvmm.spi.migration.MigrationTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * For engine tests in one process: bytes over TCP loopback, descriptors duplicated (as SCM_RIGHTS
 * would) into a queue the receiving side takes from when it reads the marker bytes. The real
 * SCM_RIGHTS transport is tested in plugins/migration-unix and end to end.
 */
final class LoopbackFdTransport implements MigrationTransport {
    private static final Linker L = Linker.nativeLinker();
    private static final MethodHandle FCNTL = L.downcallHandle(L.defaultLookup().find("fcntl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private final TcpMigrationTransport tcp = new TcpMigrationTransport();
    private final BlockingQueue<Integer> inFlight = new LinkedBlockingQueue<>();

    static int dup(int fd) {
        try {
            int r = (int) FCNTL.invokeExact(fd, 1030, 0);
            if (r < 0) {
                throw new IllegalStateException("dup failed");
            }
            return r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String name() {
        return "unix";
    }

    @Override
    public boolean carriesDescriptors() {
        return true;
    }

    @Override
    public MigrationChannel connect(String address) throws IOException {
        return wrap(tcp.connect(address));
    }

    @Override
    public MigrationListener listen(String address) throws IOException {
        MigrationListener l = tcp.listen(address);
        return new MigrationListener() {
            @Override
            public MigrationChannel accept() throws IOException {
                return wrap(l.accept());
            }

            @Override
            public String address() {
                return l.address();
            }

            @Override
            public void close() throws IOException {
                l.close();
            }
        };
    }

    private MigrationChannel wrap(MigrationChannel c) {
        return new MigrationChannel() {
            @Override
            public InputStream input() throws IOException {
                return c.input();
            }

            @Override
            public OutputStream output() throws IOException {
                return c.output();
            }

            @Override
            public boolean carriesDescriptors() {
                return true;
            }

            @Override
            public void sendDescriptors(int[] fds) throws IOException {
                for (int fd : fds) {
                    inFlight.add(dup(fd));
                }
                c.output().write(new byte[fds.length]);
                c.output().flush();
            }

            @Override
            public int[] receiveDescriptors(int count) throws IOException {
                int[] out = new int[count];
                for (int i = 0; i < count; i++) {
                    if (c.input().read() != 0) {
                        throw new IOException("marker missing");
                    }
                    Integer fd = inFlight.poll();
                    if (fd == null) {
                        throw new IOException("descriptor missing");
                    }
                    out[i] = fd;
                }
                return out;
            }

            @Override
            public void close() throws IOException {
                c.close();
            }
        };
    }
}
