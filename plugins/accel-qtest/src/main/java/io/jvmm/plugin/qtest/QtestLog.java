package io.jvmm.plugin.qtest;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -qtest-log FILE}: every request ({@code [R +SECONDS] line}) and reply ({@code [S +SECONDS]
 * line}) with the time since the connection opened, QEMU's format. Buffered and flushed when the
 * session waits for input, so logging does not turn each request into a file write.
 */
final class QtestLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QtestLog.class);
    private final BufferedWriter out;
    private final long start = System.nanoTime();

    QtestLog(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        line('I', "OPENED");
    }

    void request(String line) {
        line('R', line);
    }

    void reply(String line) {
        line('S', line);
    }

    private void line(char kind, String text) {
        long us = (System.nanoTime() - start) / 1000;
        try {
            out.write('[');
            out.write(kind);
            out.write(" +");
            out.write(Long.toString(us / 1_000_000));
            out.write('.');
            String frac = Long.toString(us % 1_000_000);
            out.write("000000", 0, 6 - frac.length());
            out.write(frac);
            out.write("] ");
            out.write(text);
            out.write('\n');
        } catch (IOException e) {
            LOG.warn("qtest log: {}", e.getMessage());
        }
    }

    void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            LOG.warn("qtest log: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        line('I', "CLOSED");
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("qtest log: {}", e.getMessage());
        }
    }
}
