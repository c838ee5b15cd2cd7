package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code stop} or {@code cont}, then the run state that resulted. The state is shown rather than assumed: a
 * {@code cont} on a VM waiting for an incoming migration only starts it once the migration completes.
 */
public record RunStateCommand(String qmpCommand) implements CtlCommand {

    public RunStateCommand {
        if (!qmpCommand.equals("stop") && !qmpCommand.equals("cont")) {
            throw new IllegalArgumentException("not a run-state command: " + qmpCommand);
        }
    }

    @Override
    public ExitCode run(QmpClient qmp, Output out) {
        qmp.execute(qmpCommand, null);
        JsonNode status = qmp.execute("query-status", null);
        out.result(status, StatusCommand.describe(status));
        return ExitCode.OK;
    }
}
