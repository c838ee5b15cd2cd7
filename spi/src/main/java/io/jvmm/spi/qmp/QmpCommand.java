package io.jvmm.spi.qmp;

import io.jvmm.spi.config.Named;
import io.jvmm.spi.config.Properties;

/**
 * One QMP command. {@link #name()} is the command name, {@link #properties()} its arguments (unknown
 * arguments are rejected before {@link #execute} runs), {@link #description()} its reference doc.
 */
public interface QmpCommand extends Named {

    /**
     * Runs the command. The result is serialized to JSON: a Map, List, String, Number, Boolean or a
     * record (components become members); null means {@code {}}.
     */
    Object execute(Properties arguments) throws QmpError;

    /** True for the few commands allowed before {@code qmp_capabilities} (only that one in QEMU). */
    default boolean allowedInNegotiation() {
        return false;
    }
}
