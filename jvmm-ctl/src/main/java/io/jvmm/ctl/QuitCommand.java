package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code quit}: the VMM exits. */
public record QuitCommand() implements CtlCommand {

    @Override
    public ExitCode run(QmpClient qmp, Output out) {
        JsonNode result;
        try {
            result = qmp.execute("quit", null);
        } catch (ConnectionClosedException e) {
            // The VMM may close the socket as it exits before its answer is read: that is the wanted result.
            result = Json.object();
        }
        out.result(result, "quit: the VMM is shutting down");
        return ExitCode.OK;
    }
}
