package io.jvmm.spi.lifecycle;

import java.util.Map;

/** Emits QMP events ({@code {"event": NAME, "data": {...}, "timestamp": {...}}}) to every client. */
public interface VmEvents {
    void emit(String event, Map<String, Object> data);
}
