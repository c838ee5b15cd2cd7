package io.jvmm.ctl;

import java.io.Console;
import java.util.Arrays;

/** Entry point of the {@code jvmmctl} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("-v") || Arrays.asList(args).contains("--verbose")) {
            // must be set before the first logger exists; slf4j-simple reads it once
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        }
        Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        ExitCode code = new Jvmmctl(System.out, System.err, terminal, System.getenv()).run(Arrays.asList(args));
        System.exit(code.code());
    }
}
