package io.jvmm.ctl;

/** One jvmmctl sub-command, already parsed and validated; running it talks to a connected server. */
public sealed interface CtlCommand
        permits StatusCommand, RunStateCommand, QuitCommand, MigrateCommand, MigrateIncomingCommand, EventsCommand,
        RawQmpCommand {

    ExitCode run(QmpClient qmp, Output out);
}
