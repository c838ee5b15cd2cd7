package io.jvmm.core.launcher;

/**
 * The {@code jvmm} command. Sets the log level before anything touches slf4j (the provider reads
 * it once, when the first logger is made), then hands over to {@link Launcher}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        StartupTimeline.begin();
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
        // Guice would also generate a "fast class" per injected type with that ASM: about 90 ms of
        // start-up for classes no class-data cache keeps, to speed up objects a VMM builds once.
        if (System.getProperty("guice_bytecode_gen_option") == null) {
            System.setProperty("guice_bytecode_gen_option", "DISABLED");
        }
        System.setProperty("org.slf4j.simpleLogger.log.com.google.inject.internal.util.LineNumbers", "off");
        String[] rest = java.util.Arrays.copyOfRange(args, skip, args.length);
        int status = new Launcher(System.out, System.err).run(rest);
        System.exit(status);
    }
}
