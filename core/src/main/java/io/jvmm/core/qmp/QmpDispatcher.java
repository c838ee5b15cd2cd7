package io.jvmm.core.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.qmp.QmpCommand;
import io.jvmm.spi.qmp.QmpError;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request into one reply, with QEMU's rules: capabilities negotiation first, {@code id}
 * echoed, unknown or malformed input answered with an error. Commands run one at a time, as in
 * QEMU's main loop, whichever client sent them.
 */
public final class QmpDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(QmpDispatcher.class);
    static final String CAPABILITIES = "qmp_capabilities";

    /** A reply, and what to run once it was queued for the client. */
    public record Outcome(String reply, Optional<Runnable> afterReply) {
    }

    private final QmpCommandRegistry registry;
    private final ReentrantLock commandLock = new ReentrantLock();

    public QmpDispatcher(QmpCommandRegistry registry) {
        this.registry = registry;
    }

    public QmpCommandRegistry registry() {
        return registry;
    }

    /** @param session negotiation state of the client that sent {@code text} */
    public Outcome dispatch(String text, Session session) {
        Object parsed;
        try {
            parsed = QmpJson.parse(text);
        } catch (JsonProcessingException e) {
            return error("GenericError", "JSON parse error, " + firstLine(e.getOriginalMessage()), null);
        }
        if (!(parsed instanceof Map<?, ?> request)) {
            return error("GenericError", "QMP input must be a JSON object", null);
        }
        Object id = request.get("id");
        for (Object key : request.keySet()) {
            if (!key.equals("execute") && !key.equals("arguments") && !key.equals("id")) {
                return error("GenericError", "QMP input member '" + key + "' is unexpected", id);
            }
        }
        Object execute = request.get("execute");
        if (execute == null) {
            return error("GenericError", "QMP input lacks member 'execute'", id);
        }
        if (!(execute instanceof String name)) {
            return error("GenericError", "QMP input member 'execute' must be a string", id);
        }
        Object args = request.containsKey("arguments") ? request.get("arguments") : Map.of();
        if (!(args instanceof Map<?, ?> argMap)) {
            return error("GenericError", "QMP input member 'arguments' must be an object", id);
        }
        if (!session.negotiated() && !name.equals(CAPABILITIES)) {
            return error("CommandNotFound", "Expecting capabilities negotiation with '" + CAPABILITIES + "'", id);
        }
        if (session.negotiated() && name.equals(CAPABILITIES)) {
            return error("CommandNotFound", "Capabilities negotiation is already complete, command ignored", id);
        }
        Optional<QmpCommand> command = registry.find(name);
        if (command.isEmpty()) {
            return error("CommandNotFound", "The command " + name + " has not been found", id);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> arguments = (Map<String, Object>) argMap;
        commandLock.lock();
        try {
            Properties bound = QmpArguments.bind(command.get().properties(), arguments);
            Object result = command.get().execute(bound);
            if (name.equals(CAPABILITIES)) {
                session.negotiated(true);
            }
            if (result instanceof AfterReply after) {
                return new Outcome(QmpJson.reply(after.result(), id), Optional.of(after.action()));
            }
            return new Outcome(QmpJson.reply(result, id), Optional.empty());
        } catch (QmpError e) {
            return error(e.errorClass(), e.getMessage(), id);
        } catch (RuntimeException e) {
            LOG.warn("QMP command {} failed", name, e);
            return error("GenericError", name + " failed: " + e, id);
        } finally {
            commandLock.unlock();
        }
    }

    private static Outcome error(String cls, String desc, Object id) {
        return new Outcome(QmpJson.error(cls, desc, id), Optional.empty());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Per-client negotiation state. */
    public static final class Session {
        private volatile boolean negotiated;

        public boolean negotiated() {
            return negotiated;
        }

        void negotiated(boolean value) {
            negotiated = value;
        }
    }
}
