package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code qmp '{"execute": ...}'}: any command as given; prints its {@code return} value. */
public record RawQmpCommand(ObjectNode message) implements CtlCommand {

    @Override
    public ExitCode run(QmpClient qmp, Output out) {
        JsonNode reply = qmp.send(message);
        JsonNode result = reply.path("return");
        out.result(result, Json.pretty(result));
        return ExitCode.OK;
    }
}
