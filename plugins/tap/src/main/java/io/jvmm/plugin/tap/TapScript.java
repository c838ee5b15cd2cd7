package io.jvmm.plugin.tap;

import io.jvmm.spi.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an ifup/ifdown script with the interface name as its one argument, as QEMU does. */
final class TapScript {
    private static final Logger LOG = LoggerFactory.getLogger(TapScript.class);
    static final long TIMEOUT_SECONDS = 30;

    private TapScript() {
    }

    /** Runs the script; a failure is a ConfigException naming the script, its status and output. */
    static void run(String netdevId, String option, Path script, String ifname) {
        Process process;
        try {
            process = new ProcessBuilder(script.toString(), ifname).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new ConfigException("netdev " + netdevId + ": could not run " + option + " " + script + ": "
                    + e.getMessage() + "; create it (executable), or use " + option + "=no");
        }
        // Pipes closed here, not left to the garbage collector: no descriptor outlives the script.
        try (var in = process.getInputStream()) {
            boolean done = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String output = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!done) {
                process.destroyForcibly();
                throw new ConfigException("netdev " + netdevId + ": " + option + " " + script + " " + ifname
                        + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new ConfigException("netdev " + netdevId + ": " + option + " " + script + " " + ifname
                        + " failed with status " + process.exitValue() + (output.isEmpty() ? "" : ": " + output));
            }
            if (!output.isEmpty()) {
                LOG.info("{} {} {}: {}", option, script, ifname, output);
            }
        } catch (IOException e) {
            throw new ConfigException("netdev " + netdevId + ": " + option + " " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new ConfigException("netdev " + netdevId + ": interrupted while running " + option + " " + script);
        }
    }
}
