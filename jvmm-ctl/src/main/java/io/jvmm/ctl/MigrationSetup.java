package io.jvmm.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The capabilities and parameters both sides of a migration must agree on, applied before {@code migrate} and
 * {@code migrate-incoming}.
 *
 * @param local        set the {@code local} parameter: hand devices' host resources (TAP descriptors) to the target
 * @param ignoreShared set the {@code x-ignore-shared} capability: RAM that both processes map is not copied
 */
public record MigrationSetup(boolean local, boolean ignoreShared) {

    public void apply(QmpClient qmp) {
        ArrayNode capabilities = Json.array();
        // events: the server announces each status change, so progress is shown without waiting for a poll
        capabilities.addObject().put("capability", "events").put("state", true);
        if (ignoreShared) {
            capabilities.addObject().put("capability", "x-ignore-shared").put("state", true);
        }
        ObjectNode arguments = Json.object();
        arguments.set("capabilities", capabilities);
        qmp.execute("migrate-set-capabilities", arguments);
        applyLocal(qmp);
    }

    private void applyLocal(QmpClient qmp) {
        if (local) {
            try {
                qmp.execute("migrate-set-parameters", Json.object().put("local", true));
            } catch (QmpErrorException e) {
                throw new CtlException(ExitCode.QMP_ERROR, "this VMM does not support local migration"
                        + " (migrate-set-parameters refused 'local': " + e.description() + "); run without --local"
                        + " for an ordinary migration (QEMU before the local-migration series has none)");
            }
            return;
        }
        // A VMM keeps parameters between migrations: turn 'local' off if an earlier run left it on, so that
        // a migrate without --local never hands descriptors over. A server without the parameter has nothing to undo.
        JsonNode parameters = qmp.execute("query-migrate-parameters", null);
        if (parameters.path("local").asBoolean(false)) {
            qmp.execute("migrate-set-parameters", Json.object().put("local", false));
        }
    }
}
