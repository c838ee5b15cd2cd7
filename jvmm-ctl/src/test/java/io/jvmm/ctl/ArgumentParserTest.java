package io.jvmm.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgumentParserTest {
    private final ArgumentParser parser = new ArgumentParser(Map.of());

    private Invocation parse(String... args) {
        return parser.parse(List.of(args));
    }

    private CtlException usageError(String... args) {
        CtlException e = assertThrows(CtlException.class, () -> parse(args));
        assertEquals(ExitCode.USAGE, e.exitCode());
        return e;
    }

    @Test
    void globalOptionsMayComeBeforeOrAfterTheCommand() {
        Invocation before = parse("-s", "/run/a.qmp", "--json", "--timeout", "2.5", "status");
        Invocation after = parse("status", "--socket=/run/a.qmp", "--json", "--timeout=2.5");
        assertEquals(before.options(), after.options());
        assertEquals(Path.of("/run/a.qmp"), before.options().socket());
        assertTrue(before.options().json());
        assertEquals(Duration.ofMillis(2500), before.options().timeout());
        assertInstanceOf(StatusCommand.class, before.command());
    }

    @Test
    void socketComesFromTheEnvironmentWhenNotGiven() {
        Invocation invocation = new ArgumentParser(Map.of(ArgumentParser.SOCKET_ENV, "/run/env.qmp"))
                .parse(List.of("cont"));
        assertEquals(Path.of("/run/env.qmp"), invocation.options().socket());
        assertEquals(new RunStateCommand("cont"), invocation.command());
        assertEquals(Options.DEFAULT_TIMEOUT, invocation.options().timeout());
    }

    @Test
    void missingSocketSaysHowToGiveOne() {
        CtlException e = usageError("status");
        assertTrue(e.getMessage().contains("-s PATH") && e.getMessage().contains(ArgumentParser.SOCKET_ENV),
                e.getMessage());
    }

    @Test
    void localMigrationIgnoresSharedRamUnlessToldOtherwise() {
        MigrateCommand local = (MigrateCommand) parse("-s", "S", "migrate", "--local", "unix:/tmp/m.sock").command();
        assertEquals(new MigrationSetup(true, true), local.setup());
        assertEquals("unix:/tmp/m.sock", local.uri());
        assertEquals(ArgumentParser.DEFAULT_MIGRATE_INTERVAL, local.interval());

        MigrateCommand copyRam = (MigrateCommand) parse("-s", "S", "migrate", "--local", "--no-ignore-shared",
                "--interval", "20", "unix:/tmp/m.sock").command();
        assertEquals(new MigrationSetup(true, false), copyRam.setup());
        assertEquals(Duration.ofMillis(20), copyRam.interval());

        MigrateCommand plain = (MigrateCommand) parse("-s", "S", "migrate", "tcp:127.0.0.1:4444").command();
        assertEquals(new MigrationSetup(false, false), plain.setup());

        MigrateIncomingCommand incoming = (MigrateIncomingCommand) parse("-s", "S", "migrate-incoming",
                "--ignore-shared", "unix:/tmp/m.sock").command();
        assertEquals(new MigrationSetup(false, true), incoming.setup());
    }

    @Test
    void migrateNeedsOneUriWithATransport() {
        assertTrue(usageError("-s", "S", "migrate").getMessage().contains("needs exactly one URI"));
        assertTrue(usageError("-s", "S", "migrate", "/tmp/m.sock").getMessage().contains("not a migration URI"));
        assertTrue(usageError("-s", "S", "migrate", "unix:a", "unix:b").getMessage().contains("got 'unix:a unix:b'"));
        assertTrue(usageError("-s", "S", "migrate", "--fast", "unix:a").getMessage().contains("--local"));
        assertTrue(usageError("-s", "S", "migrate", "--interval", "0", "unix:a").getMessage()
                .contains("whole number above 0"));
    }

    @Test
    void rawQmpTakesAFullMessageOrANameWithArguments() {
        RawQmpCommand full = (RawQmpCommand) parse("-s", "S", "qmp",
                "{\"execute\":\"query-status\",\"id\":7}").command();
        assertEquals("{\"execute\":\"query-status\",\"id\":7}", Json.compact(full.message()));

        RawQmpCommand shorthand = (RawQmpCommand) parse("-s", "S", "qmp", "migrate-set-parameters",
                "{\"local\":true}").command();
        assertEquals("{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"local\":true}}",
                Json.compact(shorthand.message()));
    }

    @Test
    void rawQmpRejectsWhatTheServerCouldNotTakeBeforeConnecting() {
        assertTrue(usageError("-s", "S", "qmp", "{\"execute\":").getMessage().contains("not valid JSON"));
        assertTrue(usageError("-s", "S", "qmp", "{\"arguments\":{}}").getMessage().contains("needs \"execute\""));
        assertTrue(usageError("-s", "S", "qmp", "stop", "[1]").getMessage().contains("must be a JSON object"));
        assertTrue(usageError("-s", "S", "qmp").getMessage().contains("needs a QMP command"));
    }

    @Test
    void eventsCanStopAfterACountOrAnEvent() {
        assertEquals(new EventsCommand(3, "MIGRATION"),
                parse("-s", "S", "events", "--count", "3", "--until=MIGRATION").command());
        assertEquals(new EventsCommand(0, null), parse("-s", "S", "events").command());
        assertTrue(usageError("-s", "S", "events", "MIGRATION").getMessage().contains("--until NAME"));
    }

    @Test
    void badCommandsAndValuesSayWhatToWriteInstead() {
        assertTrue(usageError("-s", "S", "reboot").getMessage().contains("unknown command 'reboot'"));
        assertTrue(usageError("-s", "S", "status", "now").getMessage().contains("takes no arguments"));
        assertTrue(usageError("-s", "S", "stop", "--local").getMessage().contains("no option --local"));
        assertTrue(usageError("--timeout", "soon", "-s", "S", "status").getMessage().contains("seconds"));
        assertTrue(usageError("status", "-s").getMessage().contains("-s needs a value"));
    }

    @Test
    void helpNeedsNoSocket() {
        assertTrue(parse("--help").help());
        assertTrue(parse().help());
        assertTrue(parse("help").help());
        assertFalse(parse("-s", "S", "quit").help());
    }
}
