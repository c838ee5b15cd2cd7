package io.jvmm.core.launcher;

/**
 * The {@code jvmm} command. Sets the log level before anything touches slf4j (the provider reads
 * it once, when the first logger is made), then hands over to {@link Launcher}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        String level = System.getenv("JVMM_LOG");
        int skip = 0;
        while (skip < args.length && (args[skip].equals("-d") || args[skip].equals("--debug"))) {
            level = "debug";
            skip++;
        }
        if (level != null && !level.isBlank()) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        }
        // Guice's bundled ASM cannot read Java 25 class files for line numbers and says so once.
        System.setProperty("org.slf4j.simpleLogger.log.com.google.inject.internal.util.LineNumbers", "off");
        String[] rest = java.util.Arrays.copyOfRange(args, skip, args.length);
        int status = new Launcher(System.out, System.err).run(rest);
        System.exit(status);
    }
}
