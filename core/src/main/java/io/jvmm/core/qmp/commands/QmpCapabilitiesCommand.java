package io.jvmm.core.qmp.commands;

import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.qmp.QmpCommand;
import io.jvmm.spi.qmp.QmpError;
import java.util.List;

/** Leaves capabilities negotiation mode; jvmm offers no optional capabilities (no "oob"). */
public final class QmpCapabilitiesCommand implements QmpCommand {
    @Override
    public String name() {
        return "qmp_capabilities";
    }

    @Override
    public String description() {
        return "Leaves capabilities negotiation; must be the first command of every connection. "
                + "jvmm offers no optional capabilities.";
    }

    @Override
    public List<PropertySpec> properties() {
        return List.of(PropertySpec.stringList("enable", "capabilities to enable (none are offered)"));
    }

    @Override
    public boolean allowedInNegotiation() {
        return true;
    }

    @Override
    public Object execute(Properties arguments) {
        for (String cap : arguments.stringList("enable")) {
            throw QmpError.generic("Capability '" + cap + "' not available");
        }
        return null;
    }
}
