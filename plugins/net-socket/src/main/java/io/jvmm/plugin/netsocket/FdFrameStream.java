package io.jvmm.plugin.netsocket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A stream socket inherited as a descriptor number (fd=), as management software passes them.
 * Works whether or not the parent left O_NONBLOCK set: EAGAIN waits in poll(2).
 */
final class FdFrameStream implements FrameStream {
    private final int fd;
    private final Arena arena = Arena.ofShared();
    /** Heap data (frames being sent, the length word) is staged here for write(2). */
    private final MemorySegment scratch = arena.allocate(SocketNetBackend.MAX_FRAME + 4);
    private volatile boolean closed;

    FdFrameStream(int fd) {
        this.fd = fd;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.isDirect()) {
            ByteBuffer tmp = ByteBuffer.allocateDirect(dst.remaining());
            int n = read(tmp);
            if (n > 0) {
                dst.put(tmp.flip());
            }
            return n;
        }
        MemorySegment target = MemorySegment.ofBuffer(dst);
        while (true) {
            // poll first with a timeout, so close() from another thread ends a wait within 200 ms
            if (closed) {
                return -1;
            }
            if (!LibC.poll(fd, LibC.POLLIN, 200)) {
                continue;
            }
            LibC.Result r = LibC.read(fd, target, target.byteSize());
            if (r.value() > 0) {
                dst.position(dst.position() + (int) r.value());
                return (int) r.value();
            }
            if (r.value() == 0) {
                return -1;
            }
            if (r.errno() != LibC.EAGAIN && r.errno() != LibC.EINTR) {
                throw new IOException("read from fd " + fd + " failed: errno " + r.errno());
            }
        }
    }

    @Override
    public void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            MemorySegment from;
            int n = Math.min(src.remaining(), (int) scratch.byteSize());
            if (src.isDirect()) {
                from = MemorySegment.ofBuffer(src).asSlice(0, n);
            } else {
                scratch.asSlice(0, n).asByteBuffer().put(src.slice(src.position(), n));
                from = scratch.asSlice(0, n);
            }
            LibC.Result r = LibC.write(fd, from, n);
            if (r.value() >= 0) {
                src.position(src.position() + (int) r.value());
            } else if (r.errno() == LibC.EAGAIN) {
                LibC.poll(fd, LibC.POLLOUT, 200);
            } else if (r.errno() != LibC.EINTR) {
                throw new IOException("write to fd " + fd + " failed: errno " + r.errno());
            }
            if (closed) {
                throw new IOException("closed");
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.close(fd);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }
}
