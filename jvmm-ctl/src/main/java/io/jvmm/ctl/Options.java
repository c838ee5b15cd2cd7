package io.jvmm.ctl;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Options that apply to every command.
 *
 * @param socket  the VMM's QMP socket (the path in {@code -qmp unix:PATH,server=on})
 * @param json    print one JSON object per result instead of text
 * @param timeout how long to wait for the greeting and for each answer
 * @param verbose log every QMP message sent and received (to stderr)
 */
public record Options(Path socket, boolean json, Duration timeout, boolean verbose) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
}
