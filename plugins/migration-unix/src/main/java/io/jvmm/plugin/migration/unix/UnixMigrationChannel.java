package io.jvmm.plugin.migration.unix;

import io.jvmm.spi.migration.MigrationChannel;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connected UNIX socket. Descriptors ride as SCM_RIGHTS on marker bytes, one marker byte per
 * descriptor (as QEMU sends one dummy byte per fd), so the receiver knows exactly where in the byte
 * stream they belong.
 *
 * <p>Buffering must never swallow descriptors: the input side is a buffer owned by this channel
 * that collects, after every socket read, whatever descriptors that read delivered. Reading the
 * marker bytes later (from the buffer) then takes descriptors from that queue in order, however
 * the bytes were split across reads. Descriptors still queued when the channel closes are closed.
 */
final class UnixMigrationChannel implements MigrationChannel {
    private static final Logger log = LoggerFactory.getLogger(UnixMigrationChannel.class);
    /** The byte each descriptor rides on. */
    static final int MARKER = 0xFD;
    /**
     * Descriptors per message. Linux allows 253 (SCM_MAX_FD), but junixsocket 2.10.1 caps the receive
     * buffer for control messages at 256 bytes (CMSG_SPACE(4 * n) must fit, else the read fails with
     * ENOBUFS and the descriptors are lost), so batches stay at 32.
     */
    static final int MAX_FDS_PER_MESSAGE = 32;

    private final AFUNIXSocket socket;
    private final CapturingInput in;
    private final OutputStream out;
    private boolean closed;

    UnixMigrationChannel(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        // room for a full message of descriptors: cmsghdr (16) + 4 bytes each, with margin
        socket.setAncillaryReceiveBufferSize(4096);
        this.in = new CapturingInput(socket, socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    @Override
    public InputStream input() {
        return in;
    }

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public boolean carriesDescriptors() {
        return true;
    }

    @Override
    public void sendDescriptors(int[] fds) throws IOException {
        out.flush();
        for (int from = 0; from < fds.length; from += MAX_FDS_PER_MESSAGE) {
            int n = Math.min(MAX_FDS_PER_MESSAGE, fds.length - from);
            FileDescriptor[] batch = new FileDescriptor[n];
            for (int i = 0; i < n; i++) {
                if (fds[from + i] < 0) {
                    throw new IOException("invalid descriptor " + fds[from + i]);
                }
                // unsafeUsing wraps the number without duplicating it: the descriptor stays ours and open
                batch[i] = FileDescriptorCast.unsafeUsing(fds[from + i]).getFileDescriptor();
            }
            byte[] markers = new byte[n];
            Arrays.fill(markers, (byte) MARKER);
            synchronized (this) {
                socket.setOutboundFileDescriptors(batch);
                try {
                    out.write(markers);
                } finally {
                    if (socket.hasOutboundFileDescriptors()) {
                        socket.setOutboundFileDescriptors((FileDescriptor[]) null);
                    }
                }
            }
        }
        out.flush();
    }

    @Override
    public int[] receiveDescriptors(int count) throws IOException {
        if (count < 0) {
            throw new IOException("negative descriptor count " + count);
        }
        int[] got = new int[count];
        int taken = 0;
        try {
            for (int i = 0; i < count; i++) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the stream ended after " + i + " of " + count + " descriptor markers");
                }
                if (b != MARKER) {
                    throw new IOException(String.format("expected descriptor marker 0x%02x, got 0x%02x (stream out of"
                            + " step)", MARKER, b));
                }
                Integer fd = in.pollDescriptor();
                if (fd == null) {
                    throw new IOException("descriptor " + (i + 1) + " of " + count + " did not arrive with its marker"
                            + " byte (the sender's descriptors were refused or truncated)");
                }
                got[taken++] = fd;
            }
            return got;
        } catch (IOException | RuntimeException e) {
            for (int i = 0; i < taken; i++) {
                UnixNative.close(got[i]);
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } finally {
            int n = in.closeQueued();
            if (n > 0) {
                log.warn("closed {} received descriptors that nobody claimed", n);
            }
        }
    }

    /** A read buffer that captures the descriptors each socket read delivers. */
    static final class CapturingInput extends InputStream {
        private final AFUNIXSocket socket;
        private final InputStream raw;
        private final byte[] buf = new byte[64 << 10];
        private final ArrayDeque<Integer> descriptors = new ArrayDeque<>();
        private int pos;
        private int limit;

        CapturingInput(AFUNIXSocket socket, InputStream raw) {
            this.socket = socket;
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            if (pos == limit && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (pos == limit && !fill()) {
                return -1;
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return limit - pos;
        }

        private boolean fill() throws IOException {
            int n;
            try {
                n = raw.read(buf, 0, buf.length);
            } finally {
                capture();
            }
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }

        /**
         * Takes the descriptors the last read delivered. junixsocket keeps track of every descriptor it
         * received and closes them all when the socket closes, which would pull a tap queue out from
         * under its new owner once the migration channel goes away. So each one is duplicated into a
         * descriptor junixsocket knows nothing about, and junixsocket's own is closed through its
         * FileDescriptor (which also drops it from junixsocket's list).
         */
        private void capture() throws IOException {
            FileDescriptor[] fds = socket.getReceivedFileDescriptors();
            if (fds == null) {
                return;
            }
            socket.clearReceivedFileDescriptors();
            synchronized (descriptors) {
                for (FileDescriptor fd : fds) {
                    int raw = FileDescriptorCast.using(fd).as(Integer.class);
                    try {
                        descriptors.add(UnixNative.dupCloexec(raw));
                    } finally {
                        new java.io.FileInputStream(fd).close();
                    }
                }
            }
        }

        Integer pollDescriptor() {
            synchronized (descriptors) {
                return descriptors.poll();
            }
        }

        int closeQueued() {
            synchronized (descriptors) {
                int n = descriptors.size();
                for (Integer fd : descriptors) {
                    UnixNative.close(fd);
                }
                descriptors.clear();
                return n;
            }
        }
    }
}
