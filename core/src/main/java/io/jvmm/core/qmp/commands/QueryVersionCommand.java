package io.jvmm.core.qmp.commands;

import io.jvmm.core.qmp.QmpJson;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.qmp.QmpCommand;

/** The QEMU version whose QMP jvmm speaks, and jvmm's own version as "package". */
public final class QueryVersionCommand implements QmpCommand {
    @Override
    public String name() {
        return "query-version";
    }

    @Override
    public String description() {
        return "Returns {\"qemu\": {\"major\", \"minor\", \"micro\"}, \"package\": \"jvmm VERSION\"}: the QEMU"
                + " QMP version jvmm follows, and jvmm's version.";
    }

    @Override
    public Object execute(Properties arguments) {
        return QmpJson.version();
    }
}
