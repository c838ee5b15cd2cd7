package io.jvmm.core.event;

import io.jvmm.spi.lifecycle.VmEvents;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries QMP events from the VM and plugins to whoever listens (the QMP server's clients). The
 * timestamp is taken when the event is emitted, as QEMU does, not when a client gets it.
 */
public final class EventBus implements VmEvents {
    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

    /** An event as QMP sends it. */
    public record Event(String name, Map<String, Object> data, Instant timestamp) {
    }

    /** Receives every event; must not block (clients that write slowly queue on their own). */
    public interface Listener {
        void onEvent(Event event);
    }

    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void emit(String event, Map<String, Object> data) {
        // keep the emitter's member order (QEMU's order reads best in logs and tests)
        Event e = new Event(event, data == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data)), Instant.now());
        LOG.debug("event {} {}", event, e.data());
        for (Listener l : listeners) {
            try {
                l.onEvent(e);
            } catch (RuntimeException ex) {
                LOG.warn("event listener failed on {}: {}", event, ex.toString());
            }
        }
    }

    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    public void unsubscribe(Listener listener) {
        listeners.remove(listener);
    }
}
