package io.jvmm.plugin.qtest;

import io.jvmm.spi.accel.AccelContext;
import io.jvmm.spi.accel.Accelerator;
import io.jvmm.spi.config.ConfigException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The qtest accelerator: no vCPU. It connects as a client to the socket the test listens on (QEMU's
 * {@code -qtest unix:PATH}), then one thread reads request lines and answers them through
 * {@link QtestSession}. When the test closes the socket the VM shuts down, as QEMU does.
 *
 * <p>I/O is buffered both ways: all complete requests already received are answered before the
 * replies are written with one syscall, and the thread blocks in read only when nothing is pending.
 * Asynchronous {@code IRQ raise/lower N} lines share the output buffer; from another thread they
 * are written at once.
 */
final class QtestAccelerator implements Accelerator {
    private static final Logger LOG = LoggerFactory.getLogger(QtestAccelerator.class);
    /** A request longer than this is answered FAIL and skipped up to its newline. */
    static final int MAX_LINE = 256 << 20;

    private final AccelContext ctx;
    private final Path socketPath;
    private final Optional<Path> logPath;
    private final ReentrantLock outLock = new ReentrantLock();
    private final ReplyBuffer out = new ReplyBuffer(1 << 16);
    private final ReplyBuffer reply = new ReplyBuffer(1 << 12);
    private SocketChannel channel;
    private QtestLog log;
    private Thread thread;
    private volatile boolean closing;
    private volatile boolean intercepting;

    QtestAccelerator(AccelContext ctx, Path socketPath, Optional<Path> logPath) {
        this.ctx = ctx;
        this.socketPath = socketPath;
        this.logPath = logPath;
    }

    @Override
    public void start() throws IOException {
        ctx.clockControl().setManual(true);
        if (logPath.isPresent()) {
            log = new QtestLog(logPath.get());
        }
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException e) {
            throw new ConfigException("qtest: cannot connect to " + socketPath + ": " + e.getMessage()
                    + " (the test must listen on the socket before jvmm starts)", e);
        }
        ctx.interrupts().addGsiListener(this::gsiChanged);
        QtestSession session = new QtestSession(ctx, path -> intercepting = true);
        thread = Thread.ofPlatform().name("qtest").start(() -> run(session));
        LOG.info("qtest: connected to {}", socketPath);
    }

    private void gsiChanged(int gsi, boolean level) {
        if (!intercepting) {
            return;
        }
        outLock.lock();
        try {
            int from = out.length();
            out.put(level ? "IRQ raise " : "IRQ lower ").put(Integer.toString(gsi)).put((byte) '\n');
            if (log != null) {
                log.reply(out.lastLine(from));
            }
            if (Thread.currentThread() != thread) {
                flush(); // from an I/O thread: the loop may be blocked in read, send it now
            }
        } catch (IOException e) {
            LOG.debug("qtest: IRQ line not sent: {}", e.getMessage());
        } finally {
            outLock.unlock();
        }
    }

    /** Writes the output buffer; caller holds outLock. */
    private void flush() throws IOException {
        if (out.length() == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(out.array(), 0, out.length());
        while (b.hasRemaining()) {
            channel.write(b);
        }
        out.clear();
    }

    private void run(QtestSession session) {
        byte[] in = new byte[1 << 16];
        int start = 0; // first byte of the pending line
        int end = 0; // end of the bytes read
        int scan = 0; // where to continue looking for '\n'
        boolean discarding = false; // inside an over-long line
        try {
            while (!closing) {
                int nl = -1;
                for (int i = scan; i < end; i++) {
                    if (in[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                if (nl >= 0) {
                    if (discarding) {
                        discarding = false;
                        reply.clear();
                        reply.fail("request longer than " + MAX_LINE + " bytes");
                    } else {
                        execute(session, in, start, nl);
                    }
                    emit();
                    start = nl + 1;
                    scan = start;
                    continue;
                }
                // no complete request left: send what we have, then wait for more
                outLock.lock();
                try {
                    flush();
                } finally {
                    outLock.unlock();
                }
                if (log != null) {
                    log.flush();
                }
                if (start > 0) {
                    System.arraycopy(in, start, in, 0, end - start);
                    end -= start;
                    start = 0;
                }
                scan = end;
                if (end == in.length) {
                    if (in.length >= MAX_LINE) {
                        discarding = true; // keep reading, drop the bytes, answer FAIL at the newline
                        end = 0;
                        scan = 0;
                    } else {
                        in = Arrays.copyOf(in, Math.min(MAX_LINE, in.length * 2));
                    }
                }
                int n = channel.read(ByteBuffer.wrap(in, end, in.length - end));
                if (n < 0) {
                    break;
                }
                end += n;
            }
        } catch (IOException e) {
            if (!closing) {
                LOG.info("qtest: connection error: {}", e.getMessage());
            }
        } catch (RuntimeException | Error e) {
            LOG.error("qtest: request loop failed", e);
        }
        if (!closing) {
            LOG.info("qtest: socket closed by the test; shutting down the VM");
            ctx.requestShutdown("qtest socket closed");
        }
    }

    private void execute(QtestSession session, byte[] in, int start, int nl) {
        reply.clear();
        if (log != null) {
            int e = nl > start && in[nl - 1] == '\r' ? nl - 1 : nl;
            log.request(new String(in, start, e - start, java.nio.charset.StandardCharsets.US_ASCII));
        }
        try {
            session.handle(in, start, nl, reply);
        } catch (RuntimeException e) {
            // a device model threw: the request fails, the VMM goes on
            LOG.warn("qtest: request failed in a device: {}", e.toString());
            reply.clear();
            reply.fail("internal error: " + e);
        }
    }

    private void emit() throws IOException {
        outLock.lock();
        try {
            if (log != null) {
                log.reply(reply.lastLine(0));
            }
            out.put(reply.array(), 0, reply.length());
            if (out.length() > (1 << 20)) {
                flush(); // a client pipelining many large reads: do not hold them all
            }
        } finally {
            outLock.unlock();
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.debug("qtest: close: {}", e.getMessage());
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (log != null) {
            log.close();
        }
    }
}
