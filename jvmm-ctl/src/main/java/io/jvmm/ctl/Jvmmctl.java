package io.jvmm.ctl;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Parses a command line, connects, runs the command, and maps every failure to a message and an exit code. */
public final class Jvmmctl {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Map<String, String> env;

    public Jvmmctl(PrintStream out, PrintStream err, boolean terminal, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.env = env;
    }

    public ExitCode run(List<String> args) {
        Invocation invocation;
        try {
            invocation = new ArgumentParser(env).parse(args);
        } catch (CtlException e) {
            new Output(out, err, args.contains("--json"), false).error(e);
            err.println("Run jvmmctl --help for the commands and options.");
            return e.exitCode();
        }
        if (invocation.help()) {
            out.print(Usage.TEXT);
            out.flush();
            return ExitCode.OK;
        }
        Options options = invocation.options();
        Output output = new Output(out, err, options.json(), terminal && !options.json());
        try (QmpClient qmp = QmpClient.connect(options.socket(), options.timeout())) {
            return invocation.command().run(qmp, output);
        } catch (CtlException e) {
            output.error(e);
            return e.exitCode();
        }
    }
}
