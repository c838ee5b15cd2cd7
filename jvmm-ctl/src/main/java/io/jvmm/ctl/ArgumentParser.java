package io.jvmm.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns jvmmctl's command line into an {@link Invocation}. Options may come before or after the command; a
 * token starting with '-' is an option, anything else a positional argument ({@code --} ends options).
 * Every mistake is a {@link CtlException} with {@link ExitCode#USAGE} that says how to write it instead.
 */
public final class ArgumentParser {
    /** Read when -s is not given, so a shell session can name its VM once. */
    public static final String SOCKET_ENV = "JVMM_QMP_SOCKET";
    static final Duration DEFAULT_MIGRATE_INTERVAL = Duration.ofMillis(100);

    private final Map<String, String> env;

    public ArgumentParser(Map<String, String> env) {
        this.env = env;
    }

    public Invocation parse(List<String> args) {
        Tokens tokens = new Tokens(args);
        Path socket = null;
        boolean json = false;
        boolean verbose = false;
        boolean help = false;
        Duration timeout = Options.DEFAULT_TIMEOUT;
        List<String> positional = new ArrayList<>();
        List<String> commandOptions = new ArrayList<>();
        boolean optionsEnded = false;
        while (tokens.hasNext()) {
            String token = tokens.next();
            if (optionsEnded || !token.startsWith("-") || token.equals("-")) {
                positional.add(token);
                continue;
            }
            switch (optionName(token)) {
                case "--" -> optionsEnded = true;
                case "-s", "--socket" -> socket = Path.of(tokens.value(token));
                case "--json" -> json = true;
                case "-v", "--verbose" -> verbose = true;
                case "-h", "--help" -> help = true;
                case "--timeout" -> timeout = seconds(token, tokens.value(token));
                default -> {
                    commandOptions.add(token);
                    if (takesValue(token)) {
                        commandOptions.add(tokens.value(token));
                    }
                }
            }
        }
        if (help || positional.isEmpty() || positional.getFirst().equals("help")) {
            return new Invocation(new Options(socket, json, timeout, verbose), null, true);
        }
        CtlCommand command = command(positional.getFirst(), positional.subList(1, positional.size()),
                new Tokens(commandOptions));
        if (socket == null) {
            String fromEnv = env.get(SOCKET_ENV);
            if (fromEnv == null || fromEnv.isBlank()) {
                throw usage("no QMP socket given: pass -s PATH (the PATH of the VMM's -qmp unix:PATH,server=on)"
                        + " or set " + SOCKET_ENV);
            }
            socket = Path.of(fromEnv);
        }
        return new Invocation(new Options(socket, json, timeout, verbose), command, false);
    }

    private CtlCommand command(String name, List<String> args, Tokens options) {
        return switch (name) {
            case "status" -> noArguments(name, args, options, new StatusCommand());
            case "stop", "cont" -> noArguments(name, args, options, new RunStateCommand(name));
            case "quit" -> noArguments(name, args, options, new QuitCommand());
            case "migrate" -> migrate(args, options);
            case "migrate-incoming" -> migrateIncoming(args, options);
            case "events" -> events(args, options);
            case "qmp" -> rawQmp(args, options);
            default -> throw usage("unknown command '" + name + "': use one of status, stop, cont, quit, migrate,"
                    + " migrate-incoming, events, qmp (jvmmctl --help shows them all)");
        };
    }

    private static CtlCommand noArguments(String name, List<String> args, Tokens options, CtlCommand command) {
        if (!args.isEmpty()) {
            throw usage(name + " takes no arguments, got '" + String.join(" ", args) + "'");
        }
        rejectUnknown(name, options);
        return command;
    }

    private static MigrateCommand migrate(List<String> args, Tokens options) {
        MigrationFlags flags = new MigrationFlags();
        Duration interval = DEFAULT_MIGRATE_INTERVAL;
        while (options.hasNext()) {
            String option = options.next();
            if (!flags.accept(option)) {
                if (optionName(option).equals("--interval")) {
                    interval = millis(option, options.value(option));
                } else {
                    throw unknownOption("migrate", option, "--local, --ignore-shared, --no-ignore-shared, --interval MS");
                }
            }
        }
        return new MigrateCommand(uri("migrate", args), flags.setup(), interval);
    }

    private static MigrateIncomingCommand migrateIncoming(List<String> args, Tokens options) {
        MigrationFlags flags = new MigrationFlags();
        while (options.hasNext()) {
            String option = options.next();
            if (!flags.accept(option)) {
                throw unknownOption("migrate-incoming", option, "--local, --ignore-shared, --no-ignore-shared");
            }
        }
        return new MigrateIncomingCommand(uri("migrate-incoming", args), flags.setup());
    }

    private static EventsCommand events(List<String> args, Tokens options) {
        if (!args.isEmpty()) {
            throw usage("events takes no arguments, got '" + String.join(" ", args)
                    + "'; to stop at an event use --until NAME");
        }
        int count = 0;
        String until = null;
        while (options.hasNext()) {
            String option = options.next();
            switch (optionName(option)) {
                case "--count" -> count = positiveInt(option, options.value(option));
                case "--until" -> until = options.value(option);
                default -> throw unknownOption("events", option, "--count N, --until EVENT");
            }
        }
        return new EventsCommand(count, until);
    }

    /** {@code qmp '{"execute":"x","arguments":{...}}'} or the shorthand {@code qmp x ['{...}']}. */
    private static RawQmpCommand rawQmp(List<String> args, Tokens options) {
        rejectUnknown("qmp", options);
        if (args.isEmpty() || args.size() > 2) {
            throw usage("qmp needs a QMP command: qmp '{\"execute\":\"query-status\"}' or qmp query-status"
                    + " ['{\"arg\":value}']");
        }
        ObjectNode message;
        if (args.getFirst().trim().startsWith("{")) {
            if (args.size() != 1) {
                throw usage("qmp with a JSON message takes nothing after it; put arguments inside \"arguments\"");
            }
            message = jsonObject(args.getFirst(), "the QMP message");
            if (!message.path("execute").isTextual()) {
                throw usage("the QMP message needs \"execute\" with a command name, e.g."
                        + " {\"execute\":\"query-status\"}");
            }
        } else {
            message = Json.object().put("execute", args.getFirst());
            if (args.size() == 2) {
                message.set("arguments", jsonObject(args.get(1), "the arguments of " + args.getFirst()));
            }
        }
        return new RawQmpCommand(message);
    }

    private static ObjectNode jsonObject(String text, String what) {
        JsonNode node;
        try {
            node = Json.parse(text);
        } catch (JsonProcessingException e) {
            throw usage(what + " is not valid JSON (" + e.getOriginalMessage()
                    + "); quote it for the shell, e.g. '{\"execute\":\"query-status\"}'");
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw usage(what + " must be a JSON object {...}, got " + text);
        }
        return object;
    }

    private static String uri(String command, List<String> args) {
        if (args.size() != 1) {
            throw usage(command + " needs exactly one URI, e.g. " + command + " unix:/run/vm-migration.sock"
                    + (args.isEmpty() ? "" : "; got '" + String.join(" ", args) + "'"));
        }
        String uri = args.getFirst();
        if (!uri.matches("[a-z][a-z0-9+.-]*:.+")) {
            throw usage("'" + uri + "' is not a migration URI: write transport:address, e.g. unix:/run/vm.sock"
                    + " or tcp:127.0.0.1:4444");
        }
        return uri;
    }

    private static void rejectUnknown(String command, Tokens options) {
        if (options.hasNext()) {
            throw usage(command + " has no option " + options.next());
        }
    }

    private static CtlException unknownOption(String command, String option, String known) {
        return usage(command + " has no option " + option + "; it knows " + known);
    }

    /** {@code --name=value} names the option {@code --name}. */
    private static String optionName(String token) {
        int equals = token.indexOf('=');
        return token.startsWith("--") && equals > 0 ? token.substring(0, equals) : token;
    }

    private static boolean takesValue(String token) {
        String name = optionName(token);
        return !token.contains("=") && (name.equals("--interval") || name.equals("--count")
                || name.equals("--until"));
    }

    private static Duration seconds(String option, String value) {
        try {
            double seconds = Double.parseDouble(value);
            if (seconds > 0 && seconds <= 86_400) {
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage(optionName(option) + " wants seconds between 0 and 86400, e.g. --timeout 30; got '" + value + "'");
    }

    private static Duration millis(String option, String value) {
        int ms = positiveInt(option, value);
        return Duration.ofMillis(ms);
    }

    private static int positiveInt(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage(optionName(option) + " wants a whole number above 0; got '" + value + "'");
    }

    static CtlException usage(String message) {
        return new CtlException(ExitCode.USAGE, message);
    }

    /** --local, --ignore-shared and --no-ignore-shared, shared by migrate and migrate-incoming. */
    private static final class MigrationFlags {
        private boolean local;
        private Boolean ignoreShared;

        boolean accept(String option) {
            switch (option) {
                case "--local" -> local = true;
                case "--ignore-shared" -> ignoreShared = true;
                case "--no-ignore-shared" -> ignoreShared = false;
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** Local migration pairs with shared guest RAM, so --local ignores shared RAM unless told otherwise. */
        MigrationSetup setup() {
            return new MigrationSetup(local, ignoreShared != null ? ignoreShared : local);
        }
    }

    /** A cursor over tokens; {@code value} reads an option's value from {@code --name=value} or the next token. */
    private static final class Tokens {
        private final List<String> tokens;
        private int next;

        Tokens(List<String> tokens) {
            this.tokens = tokens;
        }

        boolean hasNext() {
            return next < tokens.size();
        }

        String next() {
            return tokens.get(next++);
        }

        String value(String option) {
            int equals = option.indexOf('=');
            if (option.startsWith("--") && equals > 0) {
                return option.substring(equals + 1);
            }
            if (!hasNext()) {
                throw usage(option + " needs a value, e.g. " + option + " " + example(option));
            }
            return next();
        }

        private static String example(String option) {
            return switch (option) {
                case "-s", "--socket" -> "/run/vm.qmp";
                case "--timeout" -> "30";
                case "--interval" -> "100";
                case "--count" -> "1";
                case "--until" -> "MIGRATION";
                default -> "VALUE";
            };
        }
    }
}
