package io.jvmm.core.migration;

import io.jvmm.core.migration.ControlRecords.BackendOffer;
import io.jvmm.core.migration.ControlRecords.Hello;
import io.jvmm.core.migration.ControlRecords.SectionInfo;
import io.jvmm.core.vmstate.SavedSection;
import io.jvmm.core.vmstate.VmStateCodec;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.memory.RamBackendInfo;
import io.jvmm.spi.net.LocalMigratable;
import io.jvmm.spi.migration.MigrationChannel;
import io.jvmm.spi.migration.MigrationTransport;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of one migration, on its own thread: handshake (target validates while the guest
 * runs), stop, RAM, device state with descriptors, END, wait for LOADED, then commit (postmigrate)
 * and tell the target. Any failure before the commit resumes the guest; the source's own
 * descriptors are never closed or touched by a migration.
 */
final class OutgoingMigration implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(OutgoingMigration.class);

    private final MigrationManager manager;
    private final MigrationHost host;
    private final MigrationTransport transport;
    private final String address;
    private final MigrationCapabilities caps;
    private final MigrationParameters params;
    final MigrationProgress progress = new MigrationProgress();

    private volatile MigrationStatus status = MigrationStatus.SETUP;
    private volatile String error;
    private volatile MigrationChannel channel;
    private volatile String timeoutReason;
    private boolean committed;
    private boolean cancelled;
    /**
     * One instance for every watchdog: each {@code this::timeout} expression is linked on its first
     * run, and the later ones run while the guest is stopped.
     */
    private final java.util.function.Consumer<String> onTimeout = this::timeout;

    OutgoingMigration(MigrationManager manager, MigrationHost host, MigrationTransport transport, String address,
            MigrationCapabilities caps, MigrationParameters params) {
        this.manager = manager;
        this.host = host;
        this.transport = transport;
        this.address = address;
        this.caps = caps;
        this.params = params;
    }

    MigrationStatus status() {
        return status;
    }

    String error() {
        return error;
    }

    /** Cancels unless the source already committed; returns whether it will be rolled back. */
    boolean cancel() {
        synchronized (this) {
            if (committed || status.finished()) {
                return false;
            }
            cancelled = true;
        }
        setStatus(MigrationStatus.CANCELLING);
        closeChannel();
        return true;
    }

    @Override
    public void run() {
        RunState before = host.runState();
        boolean stopped = false;
        boolean guestRunning = false;
        MigrationManager.Watchdog watchdog = null;
        SwitchoverPriority priority = null;
        try {
            manager.emitStatus(MigrationStatus.SETUP);
            LocalResources local = new LocalResources(host);
            Hello hello = hello(local);
            channel = transport.connect(address);
            progress.connectedNanos = System.nanoTime();
            checkCancelled();
            MigrationChannel ch = channel;
            MigrationStreamWriter out = new MigrationStreamWriter(ch.output(), ch::sendDescriptors);
            MigrationStreamReader in = new MigrationStreamReader(ch.input(), ch::receiveDescriptors);
            watchdog = manager.watch(onTimeout, manager.handshakeTimeoutMillis(),
                    "the target did not answer the handshake");
            out.writeHeader();
            out.writeRecord(RecordType.HELLO, ControlRecords.hello(hello));
            out.flush();
            List<String> handedOver = ControlRecords.accept(in.expect(RecordType.ACCEPT).payload());
            progress.acceptedNanos = System.nanoTime();
            Set<String> offered = new HashSet<>();
            hello.offers().forEach(o -> offered.add(o.backendId()));
            if (!offered.containsAll(handedOver)) {
                throw new MigrationException("the target asks for descriptors of netdevs " + handedOver
                        + " that were not offered " + offered);
            }
            watchdog.cancel();
            // Everything that can be decided before the stop is decided here: each first run of a lambda
            // or a lookup after the stop costs downtime (linking, interpreted code).
            List<Planned> plan = plan(handedOver, local);
            Map<String, LocalMigratable> handOver = new LinkedHashMap<>();
            for (String id : handedOver) {
                local.localMigratable(id).ifPresent(lm -> handOver.put(id, lm));
            }
            warmSavePath(plan);
            LoadPathWarmup.controlRecords();
            priority = SwitchoverPriority.prepare();
            progress.setupDoneNanos = System.nanoTime();
            setStatus(MigrationStatus.ACTIVE);
            priority.raise();

            synchronized (this) {
                checkCancelled();
                guestRunning = host.stopVm(RunState.FINISH_MIGRATE);
                stopped = true;
            }
            progress.stoppedNanos = System.nanoTime();
            watchdog = manager.watch(onTimeout, manager.switchoverTimeoutMillis(),
                    "the switchover did not finish in time");
            long pages = sendRam(out, hello);
            progress.ramDoneNanos = System.nanoTime();
            setStatus(MigrationStatus.DEVICE);
            int sections = sendState(out, plan);
            out.writeRecord(RecordType.END, ControlRecords.end(new ControlRecords.End(sections, pages, guestRunning)));
            out.flush();
            progress.stateSentNanos = System.nanoTime();
            long loadMicros = ControlRecords.loaded(in.expect(RecordType.LOADED).payload());
            synchronized (this) {
                checkCancelled();
                committed = true;
            }
            progress.loadedNanos = System.nanoTime();
            progress.targetLoadMicros = loadMicros;
            commit(out, handOver);
            watchdog.cancel();
            progress.finishedNanos = System.nanoTime();
            setStatus(MigrationStatus.COMPLETED);
            log.info("migration to {}:{} completed: downtime {} ms, {} sections, {} descriptors",
                    transport.name(), address, (progress.loadedNanos - progress.stoppedNanos) / 1_000_000,
                    progress.sections, progress.descriptorsSent);
        } catch (Throwable t) {
            rollback(t, before, stopped);
        } finally {
            if (priority != null) {
                priority.restore();
            }
            if (watchdog != null) {
                watchdog.cancel();
            }
            closeChannel();
            manager.finished(this);
        }
    }

    private Hello hello(LocalResources local) {
        RamBackendInfo ram = host.ramBackend();
        if (ram.size() % StreamFormat.PAGE_SIZE != 0) {
            throw new MigrationException("RAM size " + ram.size() + " is not a multiple of the page size");
        }
        String ramMode = "copy";
        if (params.local() && "memfd".equals(ram.kind()) && ram.fd().isPresent()) {
            ramMode = "fd";
        } else if (caps.ignoreShared() && ram.shared() && "file".equals(ram.kind()) && ram.path().isPresent()) {
            ramMode = "shared";
        }
        progress.ramMode = ramMode;
        List<SectionInfo> sections = new ArrayList<>();
        for (MigrationHost.StateEntry e : host.states()) {
            sections.add(new SectionInfo(e.instanceId(), e.state().vmstate().name(), e.state().vmstate().version()));
        }
        List<BackendOffer> offers = params.local() ? local.offers() : List.of();
        return new Hello(MigrationManager.JVMM_VERSION, params.local(), caps.ignoreShared(),
                new ControlRecords.Ram(ram.kind(), ram.size(), ram.shared(), ram.path().orElse("")), ramMode,
                sections, offers, local.optIns());
    }

    /**
     * Saves every section repeatedly (for at most 20 ms) while the guest still runs, and discards the
     * result, so that the save after the stop runs compiled code: the first runs of any path are
     * slow (cold JIT) and would count as downtime. Savers only read; each save holds the device lock,
     * which the guest's own device accesses (the vCPU) need too. So the warm-up steps aside whenever
     * the guest waits for that lock: a ReentrantLock released and taken again at once by the same
     * thread lets a waiter starve, and a guest that cannot kick its NIC for 20 ms lets the tap queues
     * fill towards their limit just before the switchover adds its own pause.
     */
    private void warmSavePath(List<Planned> plan) {
        long deadline = System.nanoTime() + 20_000_000;
        try {
            for (int round = 0; round < 500 && System.nanoTime() < deadline; round++) {
                for (Planned p : plan) {
                    save(p);
                    stepAsideForTheGuest();
                }
            }
        } catch (RuntimeException e) {
            log.debug("warm-up save failed (the real save will report it): {}", e.getMessage());
        }
    }

    /** Lets a thread waiting for the device lock take it before this one's next save. */
    private void stepAsideForTheGuest() {
        if (host.deviceLock() instanceof java.util.concurrent.locks.ReentrantLock r) {
            for (int i = 0; i < 20 && r.hasQueuedThreads(); i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            }
        }
    }

    private long sendRam(MigrationStreamWriter out, Hello hello) throws IOException {
        RamBackendInfo ram = host.ramBackend();
        progress.ramTotal.set(ram.size());
        switch (hello.ramMode()) {
            case "shared" -> {
                return 0;
            }
            case "fd" -> {
                out.writeRamFd(ram.kind(), ram.size(), ram.fd().getAsInt());
                progress.descriptorsSent++;
                return 0;
            }
            default -> {
            }
        }
        MemorySegment backing = host.ramBacking();
        long size = ram.size();
        progress.ramRemaining.set(size);
        long pagesSent = 0;
        long started = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(StreamFormat.PAGE_SIZE);
            for (long off = 0; off < size; ) {
                int pages = (int) Math.min(StreamFormat.MAX_PAGES_PER_RECORD, (size - off) / StreamFormat.PAGE_SIZE);
                int zeros = out.writeRamPages(backing, off, pages, zero);
                long bytes = (long) pages * StreamFormat.PAGE_SIZE;
                off += bytes;
                pagesSent += pages;
                progress.zeroPages.addAndGet(zeros);
                progress.normalPages.addAndGet(pages - zeros);
                progress.ramTransferred.addAndGet((long) (pages - zeros) * StreamFormat.PAGE_SIZE + 10 + pages);
                progress.ramRemaining.addAndGet(-bytes);
                throttle(started, progress.ramTransferred.get());
                if (cancelledNow()) {
                    throw new MigrationException("migration cancelled");
                }
            }
        }
        return pagesSent;
    }

    private void throttle(long startedNanos, long transferred) {
        long bw = params.maxBandwidth();
        if (bw <= 0) {
            return;
        }
        long dueNanos = startedNanos + (long) (transferred * 1e9 / bw);
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
    }

    /** A section to save, and whether it hands descriptors over. */
    private record Planned(MigrationHost.StateEntry entry, boolean handsOver) {
    }

    private List<Planned> plan(List<String> handedOver, LocalResources local) {
        List<Planned> plan = new ArrayList<>();
        for (MigrationHost.StateEntry e : host.states()) {
            plan.add(new Planned(e, local.backendOf(e.state()).map(handedOver::contains).orElse(false)));
        }
        return plan;
    }

    /** Saves one section under the device lock (the warm-up and the real save run this same code). */
    private SavedSection save(Planned p) {
        host.deviceLock().lock();
        try {
            return VmStateCodec.save(p.entry().instanceId(), p.entry().state().vmstate(), p.handsOver());
        } finally {
            host.deviceLock().unlock();
        }
    }

    private int sendState(MigrationStreamWriter out, List<Planned> plan) throws IOException {
        int n = 0;
        for (Planned p : plan) {
            SavedSection s = save(p);
            out.writeSection(s);
            progress.descriptorsSent += s.fds().length;
            n++;
            progress.sections = n;
        }
        return n;
    }

    /** The point of no return: the source is postmigrate and the handed-over resources are the target's. */
    private void commit(MigrationStreamWriter out, Map<String, LocalMigratable> handOver) {
        host.setRunState(RunState.POSTMIGRATE);
        for (Map.Entry<String, LocalMigratable> h : handOver.entrySet()) {
            try {
                h.getValue().handedOver();
            } catch (RuntimeException e) {
                log.warn("netdev {}: handedOver() failed: {}", h.getKey(), e.toString());
            }
        }
        try {
            out.writeRecord(RecordType.COMMIT, ControlRecords.commit());
            out.flush();
        } catch (IOException | RuntimeException e) {
            // The target loaded everything and waits for this; without it, it gives up and the guest is
            // lost on both sides. Resuming here instead could run the guest twice: never do that.
            log.error("migration committed but COMMIT could not reach the target: {}", e.toString());
        }
    }

    private void rollback(Throwable t, RunState before, boolean stopped) {
        boolean wasCancelled;
        synchronized (this) {
            wasCancelled = cancelled;
        }
        String reason = timeoutReason != null ? timeoutReason : describe(t, "target");
        error = wasCancelled ? "migration cancelled" : reason;
        if (!(t instanceof MigrationException) && !(t instanceof IOException) && !wasCancelled) {
            log.error("migration failed", t);
        } else {
            log.warn("migration failed: {}", error);
        }
        if (stopped) {
            try {
                if (before == RunState.RUNNING) {
                    host.startVm();
                } else {
                    host.setRunState(before);
                }
            } catch (RuntimeException e) {
                log.error("could not resume the guest after a failed migration", e);
            }
        }
        progress.finishedNanos = System.nanoTime();
        setStatus(wasCancelled ? MigrationStatus.CANCELLED : MigrationStatus.FAILED);
    }

    /** The reason for error-desc; a broken connection is named as what it means: the peer went away. */
    static String describe(Throwable t, String peer) {
        String m = t.getMessage();
        if (t instanceof java.io.EOFException || (m != null && (m.contains("Broken pipe") || m.contains("Connection reset")
                || m.startsWith("the stream ended")))) {
            return "the " + peer + " closed the connection (" + (m == null ? t.getClass().getSimpleName() : m) + ")";
        }
        return m == null ? t.toString() : m;
    }

    private void timeout(String reason) {
        timeoutReason = reason;
        closeChannel();
    }

    private synchronized boolean cancelledNow() {
        return cancelled;
    }

    private synchronized void checkCancelled() {
        if (cancelled) {
            throw new MigrationException("migration cancelled");
        }
    }

    private void setStatus(MigrationStatus s) {
        status = s;
        manager.emitStatus(s);
    }

    private void closeChannel() {
        MigrationChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException | RuntimeException e) {
                log.debug("closing the migration channel: {}", e.toString());
            }
        }
    }
}
