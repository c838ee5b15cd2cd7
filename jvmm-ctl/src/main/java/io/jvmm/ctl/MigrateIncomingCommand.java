package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code migrate-incoming URI}: a target started with {@code -incoming defer} starts listening on URI, with the same
 * capabilities and parameters the source will use.
 */
public record MigrateIncomingCommand(String uri, MigrationSetup setup) implements CtlCommand {

    @Override
    public ExitCode run(QmpClient qmp, Output out) {
        setup.apply(qmp);
        JsonNode result;
        try {
            result = qmp.execute("migrate-incoming", Json.object().put("uri", uri));
        } catch (QmpErrorException e) {
            throw new CtlException(ExitCode.QMP_ERROR, "migrate-incoming failed: " + e.description()
                    + " (the VMM must have been started with -incoming defer, and accepts it only once)");
        }
        out.result(result, "waiting for an incoming migration on " + uri);
        return ExitCode.OK;
    }
}
