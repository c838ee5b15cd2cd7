package io.jvmm.core.migration;

import io.jvmm.spi.config.Properties;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.migration.MigrationListener;
import io.jvmm.spi.migration.MigrationTransport;
import io.jvmm.spi.qmp.QmpError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration engine of one VM: capabilities and parameters, the transports by URI scheme, and at
 * most one migration (outgoing or incoming) at a time. The QMP commands are thin wrappers around
 * it. Migrations run on their own thread; QMP never blocks on one.
 */
public final class MigrationManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationManager.class);
    static final String JVMM_VERSION = versionOf();

    private final MigrationHost host;
    private final Map<String, MigrationTransport> transports = new LinkedHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "migration-watchdog");
        t.setDaemon(true);
        return t;
    });
    private MigrationCapabilities capabilities = MigrationCapabilities.DEFAULT;
    private MigrationParameters parameters = MigrationParameters.DEFAULT;
    private OutgoingMigration outgoing;
    private IncomingMigration incoming;
    private Object last;
    private long handshakeTimeoutMillis = Long.getLong("jvmm.migration.handshakeTimeoutMs", 30_000);
    private long switchoverTimeoutMillis = Long.getLong("jvmm.migration.switchoverTimeoutMs", 120_000);

    public MigrationManager(MigrationHost host, List<MigrationTransport> pluginTransports) {
        this.host = host;
        for (MigrationTransport t : pluginTransports) {
            if (transports.putIfAbsent(t.name(), t) != null) {
                throw new IllegalArgumentException("two migration transports for scheme '" + t.name() + "'");
            }
        }
        transports.putIfAbsent("tcp", new TcpMigrationTransport());
    }

    public synchronized MigrationCapabilities capabilities() {
        return capabilities;
    }

    /** migrate-set-capabilities: all entries are checked before any is applied. */
    public synchronized void setCapabilities(List<Map<String, Object>> entries) {
        requireConfigurable();
        MigrationCapabilities next = capabilities;
        for (Map<String, Object> e : entries) {
            Object name = e.get("capability");
            Object state = e.get("state");
            if (!(name instanceof String n) || !(state instanceof Boolean s) || e.size() != 2) {
                throw QmpError.generic("each capability needs exactly 'capability' (string) and 'state' (bool): " + e);
            }
            next = next.with(n, s);
        }
        capabilities = next;
    }

    public synchronized MigrationParameters parameters() {
        return parameters;
    }

    /** migrate-set-parameters: only the given ones change. */
    public synchronized void setParameters(Properties args) {
        requireConfigurable();
        boolean local = args.optionalBool("local").orElse(parameters.local());
        long downtime = args.optionalInteger("downtime-limit").orElse(parameters.downtimeLimitMs());
        long bandwidth = args.optionalInteger("max-bandwidth").orElse(parameters.maxBandwidth());
        if (downtime < 0 || downtime > 2_000_000) {
            throw QmpError.generic("Parameter 'downtime-limit' expects an integer in the range of 0 to 2000000 milliseconds");
        }
        if (bandwidth < 0) {
            throw QmpError.generic("Parameter 'max-bandwidth' expects a non-negative number of bytes per second");
        }
        parameters = new MigrationParameters(local, downtime, bandwidth);
    }

    /** migrate URI: validates synchronously (a bad URI or local over tcp never stops the guest), then runs. */
    public synchronized void migrate(String uri) {
        requireIdle();
        RunState rs = host.runState();
        if (rs == RunState.INMIGRATE || rs == RunState.POSTMIGRATE || rs == RunState.SHUTDOWN) {
            throw QmpError.generic("cannot migrate a VM in state " + rs.qmpName());
        }
        Uri u = parse(uri);
        MigrationTransport t = transport(u);
        if (parameters.local() && !t.carriesDescriptors()) {
            throw QmpError.generic("local migration needs a transport that carries descriptors (unix:PATH); '"
                    + u.scheme() + ":' cannot");
        }
        OutgoingMigration m = new OutgoingMigration(this, host, t, u.address(), capabilities, parameters);
        outgoing = m;
        last = m;
        start(m, "migration-out");
    }

    /** migrate-incoming URI (or -incoming URI): listens now, so address errors are reported at once. */
    public synchronized void incoming(String uri) {
        requireIdle();
        if (host.runState() != RunState.INMIGRATE) {
            throw QmpError.generic("'-incoming' was not specified on the command line");
        }
        Uri u = parse(uri);
        MigrationTransport t = transport(u);
        if (parameters.local() && !t.carriesDescriptors()) {
            throw QmpError.generic("local migration needs a transport that carries descriptors (unix:PATH); '"
                    + u.scheme() + ":' cannot");
        }
        MigrationListener l;
        try {
            l = t.listen(u.address());
        } catch (IOException | RuntimeException e) {
            throw QmpError.generic("cannot listen on " + uri + ": " + e.getMessage());
        }
        IncomingMigration m = new IncomingMigration(this, host, l);
        incoming = m;
        last = m;
        start(m, "migration-in");
    }

    /** migrate_cancel: succeeds whether or not a migration runs, as in QEMU. */
    public synchronized void cancel() {
        if (outgoing != null) {
            outgoing.cancel();
        } else if (incoming != null) {
            incoming.cancel();
        }
    }

    /** query-migrate: {} before any migration, then QEMU's fields. */
    public synchronized Map<String, Object> query() {
        Map<String, Object> m = new LinkedHashMap<>();
        MigrationStatus status;
        String error;
        MigrationProgress p;
        boolean out;
        if (last instanceof OutgoingMigration o) {
            status = o.status();
            error = o.error();
            p = o.progress;
            out = true;
        } else if (last instanceof IncomingMigration i) {
            status = i.status();
            error = i.error();
            p = i.progress;
            out = false;
        } else {
            return m;
        }
        m.put("status", status.qmpName());
        if (status == MigrationStatus.SETUP) {
            return m;
        }
        m.putAll(p.toQmp(status, out));
        if (error != null && (status == MigrationStatus.FAILED || status == MigrationStatus.CANCELLED)) {
            m.put("error-desc", error);
        }
        return m;
    }

    /** The status of the current or last migration (none before any). */
    public synchronized MigrationStatus status() {
        if (last instanceof OutgoingMigration o) {
            return o.status();
        }
        if (last instanceof IncomingMigration i) {
            return i.status();
        }
        return MigrationStatus.NONE;
    }

    /** The address an incoming migration listens on (resolved port for tcp:...:0), if one is waiting. */
    public synchronized String incomingAddress() {
        return incoming == null ? null : incoming.address();
    }

    public List<String> transportNames() {
        return new ArrayList<>(transports.keySet());
    }

    @Override
    public void close() {
        cancel();
        timers.shutdownNow();
    }

    // ---- used by the migration threads

    void emitStatus(MigrationStatus s) {
        boolean events;
        synchronized (this) {
            events = capabilities.events();
        }
        if (events) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("status", s.qmpName());
            host.events().emit("MIGRATION", data);
        }
    }

    synchronized void finished(Object migration) {
        if (outgoing == migration) {
            outgoing = null;
        }
        if (incoming == migration) {
            incoming = null;
        }
    }

    long handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    long switchoverTimeoutMillis() {
        return switchoverTimeoutMillis;
    }

    /** For tests: shorter timeouts. */
    public synchronized void setTimeouts(long handshakeMillis, long switchoverMillis) {
        this.handshakeTimeoutMillis = handshakeMillis;
        this.switchoverTimeoutMillis = switchoverMillis;
    }

    /** A timer that gives up on a blocked phase by closing the channel. */
    interface Watchdog {
        void cancel();
    }

    Watchdog watch(Consumer<String> onTimeout, long millis, String reason) {
        ScheduledFuture<?> f = timers.schedule(() -> onTimeout.accept(reason + " within " + millis + " ms"), millis,
                TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    /**
     * Settings may change while nothing runs, and on a target still waiting for its source (QEMU
     * allows that: with -incoming URI the listener exists before QMP can set anything).
     */
    private void requireConfigurable() {
        if (outgoing != null || (incoming != null && incoming.connected())) {
            throw QmpError.generic("There's a migration process in progress");
        }
    }

    private void requireIdle() {
        if (outgoing != null || incoming != null) {
            throw QmpError.generic("There's a migration process in progress");
        }
    }

    private void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    record Uri(String scheme, String address) {
    }

    private static Uri parse(String uri) {
        if (uri == null) {
            throw QmpError.generic("Parameter 'uri' is missing");
        }
        int colon = uri.indexOf(':');
        if (colon <= 0 || colon == uri.length() - 1) {
            throw QmpError.generic("invalid migration URI '" + uri + "': expected unix:PATH or tcp:HOST:PORT");
        }
        return new Uri(uri.substring(0, colon), uri.substring(colon + 1));
    }

    private MigrationTransport transport(Uri u) {
        MigrationTransport t = transports.get(u.scheme());
        if (t == null) {
            throw QmpError.generic("unknown migration protocol: " + u.scheme() + " (available: "
                    + String.join(", ", transports.keySet()) + ")");
        }
        return t;
    }

    private static String versionOf() {
        String v = MigrationManager.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

}
