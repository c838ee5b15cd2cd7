package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code status}: the VM's run state from {@code query-status}. */
public record StatusCommand() implements CtlCommand {

    @Override
    public ExitCode run(QmpClient qmp, Output out) {
        JsonNode status = qmp.execute("query-status", null);
        out.result(status, describe(status));
        return ExitCode.OK;
    }

    /** {@code running}, or e.g. {@code paused (postmigrate)} when the run state says more than "not running". */
    static String describe(JsonNode status) {
        String state = status.path("status").asText("unknown");
        boolean running = status.path("running").asBoolean(false);
        if (running) {
            return state;
        }
        return state.equals("paused") ? "paused" : "paused (" + state + ")";
    }
}
