package io.jvmm.core.migration;

import io.jvmm.core.migration.ControlRecords.Hello;
import io.jvmm.core.migration.MigrationStreamReader.RamPages;
import io.jvmm.core.migration.MigrationStreamReader.Record;
import io.jvmm.core.os.LibC;
import io.jvmm.core.vmstate.DescriptorTable;
import io.jvmm.core.vmstate.SavedSection;
import io.jvmm.core.vmstate.VmStateCodec;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.migration.MigrationChannel;
import io.jvmm.spi.migration.MigrationListener;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target side of one migration: accept, check the source's HELLO against this VM (reject while
 * the source still runs), warm the load path, load RAM and sections, report LOADED, and run only
 * after the source's COMMIT. On any failure every descriptor received is closed (by this class, or
 * by the backend through {@code abortIncoming()}) and the VM stays in inmigrate.
 */
final class IncomingMigration implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(IncomingMigration.class);

    private final MigrationManager manager;
    private final MigrationHost host;
    private final MigrationListener listener;
    private volatile boolean connected;
    final MigrationProgress progress = new MigrationProgress();

    private volatile MigrationStatus status = MigrationStatus.SETUP;
    private volatile String error;
    private volatile MigrationChannel channel;
    private volatile boolean cancelled;
    private volatile String timeoutReason;
    private final List<String> loadedBackends = new ArrayList<>();
    /** The source's memfd is mapped as this VM's RAM: on failure it must be given back. */
    private volatile boolean adoptedSourceRam;
    /**
     * One instance for every watchdog: each {@code this::timeout} expression is linked on its first
     * run, and the later ones run while the guest is stopped.
     */
    private final java.util.function.Consumer<String> onTimeout = this::timeout;

    IncomingMigration(MigrationManager manager, MigrationHost host, MigrationListener listener) {
        this.manager = manager;
        this.host = host;
        this.listener = listener;
    }

    /** True once a source connected; until then capabilities and parameters may still change. */
    boolean connected() {
        return connected;
    }

    MigrationStatus status() {
        return status;
    }

    String error() {
        return error;
    }

    String address() {
        return listener.address();
    }

    boolean cancel() {
        if (status.finished()) {
            return false;
        }
        cancelled = true;
        closeQuietly();
        return true;
    }

    @Override
    public void run() {
        MigrationManager.Watchdog watchdog = null;
        MigrationStreamWriter out = null;
        SwitchoverPriority priority = null;
        try {
            manager.emitStatus(MigrationStatus.SETUP);
            MigrationChannel ch = listener.accept();
            channel = ch;
            connected = true;
            closeListener();
            if (cancelled) {
                throw new MigrationException("incoming migration cancelled");
            }
            out = new MigrationStreamWriter(ch.output(), ch::sendDescriptors);
            MigrationStreamReader in = new MigrationStreamReader(ch.input(), ch::receiveDescriptors);
            watchdog = manager.watch(onTimeout, manager.handshakeTimeoutMillis(), "the source sent no HELLO");
            in.readHeader();
            Hello hello = ControlRecords.hello(in.expect(RecordType.HELLO).payload());
            watchdog.cancel();
            FaultPoint.reach("hello");
            setStatus(MigrationStatus.ACTIVE);
            progress.ramMode = hello.ramMode();
            List<String> handedOver;
            try {
                // the settings as they are now: with -incoming URI they may be set after listening began
                handedOver = IncomingValidation.check(hello, host, manager.parameters().local(),
                        manager.capabilities().ignoreShared(), ch.carriesDescriptors());
            } catch (MigrationException e) {
                out.writeRecord(RecordType.REJECT, ControlRecords.reason(e.getMessage()));
                out.flush();
                throw e;
            }
            LoadPathWarmup.run();
            // from here the source stops its guest as soon as it is ready: load and resume come first
            priority = SwitchoverPriority.prepare();
            priority.raise();
            out.writeRecord(RecordType.ACCEPT, ControlRecords.accept(handedOver));
            out.flush();
            progress.setupDoneNanos = System.nanoTime();
            long loadNanos = load(in, hello, handedOver);
            progress.loadedNanos = System.nanoTime();
            out.writeRecord(RecordType.LOADED, ControlRecords.loaded(loadNanos / 1000));
            out.flush();
            watchdog = manager.watch(onTimeout, manager.handshakeTimeoutMillis(),
                    "the source did not confirm the switchover (COMMIT)");
            ControlRecords.commit(in.expect(RecordType.COMMIT).payload());
            watchdog.cancel();
            progress.finishedNanos = System.nanoTime();
            // QEMU's semantics: run after an incoming migration unless -S, and only if the guest was
            // running on the source (a paused guest stays paused on the target)
            if (host.autostart() && guestRunning) {
                host.startVm();
            } else {
                host.setRunState(RunState.PAUSED);
            }
            long resumedNanos = System.nanoTime();
            priority.restore();
            setStatus(MigrationStatus.COMPLETED);
            // after the resume, so it costs no downtime; per section, and the target's two other
            // parts of the switchover (waiting for the source's COMMIT, resuming), to see where it goes
            log.info("incoming migration completed: {} sections loaded in {} us {}; COMMIT after {} us, resumed in {} us",
                    progress.sections, loadNanos / 1000, progress.sectionLoadMicros,
                    (progress.finishedNanos - progress.loadedNanos) / 1000, (resumedNanos - progress.finishedNanos) / 1000);
        } catch (Throwable t) {
            fail(t, out);
        } finally {
            if (priority != null) {
                priority.restore();
            }
            if (watchdog != null) {
                watchdog.cancel();
            }
            closeQuietly();
            manager.finished(this);
        }
    }

    /** Whether the source's guest was running when it stopped (from END). */
    private boolean guestRunning;

    /** Loads records until END; returns the time spent loading (not waiting for the source). */
    private long load(MigrationStreamReader in, Hello hello, List<String> handedOver) throws IOException {
        Map<String, MigrationHost.StateEntry> byId = new HashMap<>();
        for (MigrationHost.StateEntry e : host.states()) {
            byId.put(e.instanceId(), e);
        }
        LocalResources local = new LocalResources(host);
        Set<String> loaded = new HashSet<>();
        long busy = 0;
        long pages = 0;
        long ramSize = host.ramBackend().size();
        progress.ramTotal.set(ramSize);
        MemorySegment backing = "copy".equals(hello.ramMode()) ? host.ramBacking() : null;
        boolean ramFdSeen = false;
        while (true) {
            Record r = in.read();
            long t0 = System.nanoTime();
            // if/else, not a switch: javac compiles a switch on an enum to a lookup in a synthetic
            // class that is loaded the first time the switch runs - here, inside the switchover
            RecordType type = r.type();
            if (type == RecordType.RAM_PAGES) {
                if (backing == null) {
                    throw new MigrationException("RAM pages arrived although the source announced ram-mode "
                            + hello.ramMode());
                }
                pages += writePages(backing, MigrationStreamReader.ramPages(r, ramSize));
            } else if (type == RecordType.RAM_FD) {
                MigrationStreamReader.RamFd fd = in.ramFd(r);
                if (!"fd".equals(hello.ramMode()) || ramFdSeen || fd.size() != ramSize) {
                    LibC.close(fd.fd());
                    throw new MigrationException("unexpected RAM descriptor (" + fd.size() + " bytes, mode "
                            + hello.ramMode() + ")");
                }
                ramFdSeen = true;
                host.adoptSharedRam(fd.fd(), fd.kind());
                adoptedSourceRam = true;
            } else if (type == RecordType.SECTION) {
                SavedSection s = in.section(r);
                if (s.fds().length > 0) {
                    FaultPoint.reach("descriptors");
                }
                long l0 = System.nanoTime();
                loadSection(s, byId, local, handedOver, loaded);
                progress.sectionLoadMicros.put(s.instanceId(), (System.nanoTime() - l0) / 1000);
                FaultPoint.reach("load");
                progress.sections = loaded.size();
            } else if (type == RecordType.END) {
                ControlRecords.End end = ControlRecords.end(r.payload());
                if (end.sections() != loaded.size() || loaded.size() != hello.sections().size()) {
                    throw new MigrationException("the stream ended after " + loaded.size() + " of "
                            + hello.sections().size() + " sections (END says " + end.sections() + ")");
                }
                if (end.ramPages() != pages) {
                    throw new MigrationException("received " + pages + " RAM pages, END says " + end.ramPages());
                }
                guestRunning = end.guestRunning();
                if ("fd".equals(hello.ramMode()) && !ramFdSeen) {
                    throw new MigrationException("the source announced its RAM descriptor but none arrived");
                }
                return busy + (System.nanoTime() - t0);
            } else {
                throw new MigrationException("unexpected " + type + " record in the stream");
            }
            busy += System.nanoTime() - t0;
        }
    }

    private long writePages(MemorySegment backing, RamPages p) {
        int dataPos = p.dataOffset();
        for (int i = 0; i < p.kinds().length; i++) {
            long off = p.offset() + (long) i * StreamFormat.PAGE_SIZE;
            MemorySegment page = backing.asSlice(off, StreamFormat.PAGE_SIZE);
            if (p.kinds()[i] == StreamFormat.PAGE_DATA) {
                MemorySegment.copy(p.data(), dataPos, page, ValueLayout.JAVA_BYTE, 0, StreamFormat.PAGE_SIZE);
                dataPos += StreamFormat.PAGE_SIZE;
                progress.normalPages.incrementAndGet();
            } else {
                page.fill((byte) 0);
                progress.zeroPages.incrementAndGet();
            }
        }
        progress.ramTransferred.addAndGet(dataPos);
        return p.kinds().length;
    }

    private void loadSection(SavedSection s, Map<String, MigrationHost.StateEntry> byId, LocalResources local,
            List<String> handedOver, Set<String> loaded) {
        DescriptorTable fds = new DescriptorTable(s.fds());
        boolean ok = false;
        try {
            MigrationHost.StateEntry e = byId.get(s.instanceId());
            if (e == null) {
                throw new MigrationException("unknown section " + s.label() + " in the stream");
            }
            if (!loaded.add(s.instanceId())) {
                throw new MigrationException("section " + s.label() + " arrived twice");
            }
            String backend = local.backendOf(e.state()).orElse(null);
            boolean expectLocal = backend != null && handedOver.contains(backend);
            if (s.local() != expectLocal) {
                throw new MigrationException("section " + s.label() + " was saved " + (s.local() ? "with" : "without")
                        + " descriptors, which this target " + (expectLocal ? "needs" : "did not agree to"));
            }
            host.deviceLock().lock();
            try {
                VmStateCodec.load(e.state().vmstate(), s, fds);
            } finally {
                host.deviceLock().unlock();
            }
            if (backend != null && expectLocal) {
                loadedBackends.add(backend);
            }
            ok = true;
        } finally {
            // Descriptors nobody claimed are closed now. If the load failed, the loader did not keep
            // the ones it claimed (loaders adopt descriptors only once they succeed): close all.
            int[] toClose = ok ? fds.unclaimed() : s.fds();
            if (ok && toClose.length > 0) {
                log.warn("section {}: {} descriptors arrived that no loader claimed; closing them", s.label(),
                        toClose.length);
            }
            for (int fd : toClose) {
                LibC.close(fd);
            }
        }
    }

    private void fail(Throwable t, MigrationStreamWriter out) {
        String reason = cancelled ? "incoming migration cancelled"
                : timeoutReason != null ? timeoutReason : OutgoingMigration.describe(t, "source");
        error = reason;
        if (cancelled) {
            // asked for (migrate_cancel, or the VMM quitting while it waited): not a failure
            log.info("incoming migration cancelled{}", connected ? " after the source connected" : "");
        } else if (t instanceof MigrationException || t instanceof IOException
                || t instanceof io.jvmm.spi.vmstate.VmStateException) {
            log.warn("incoming migration failed: {}", reason);
        } else {
            log.error("incoming migration failed", t);
        }
        if (out != null && channel != null) {
            try {
                out.writeRecord(RecordType.FAILED, ControlRecords.reason(reason));
                out.flush();
            } catch (IOException | RuntimeException ignored) {
                // the source may be gone already; it fails on its own then
            }
        }
        LocalResources local = new LocalResources(host);
        for (String id : loadedBackends) {
            local.localMigratable(id).ifPresent(lm -> {
                try {
                    lm.abortIncoming();
                } catch (RuntimeException e) {
                    log.error("netdev {}: releasing received descriptors failed", id, e);
                }
            });
        }
        loadedBackends.clear();
        if (adoptedSourceRam) {
            releaseSourceRam();
        }
        progress.finishedNanos = System.nanoTime();
        setStatus(cancelled ? MigrationStatus.CANCELLED : MigrationStatus.FAILED);
    }

    /**
     * The source runs again on its memfd: map a fresh memfd of the same size over ours (the adopted
     * descriptor is closed by that), so this target holds nothing of the source's and could take
     * another incoming migration. Its RAM is zero again, as before the migration.
     */
    private void releaseSourceRam() {
        try {
            int fresh = LibC.memfdCreate("jvmm-guest-ram");
            try {
                LibC.ftruncate(fresh, host.ramBackend().size());
                host.adoptSharedRam(fresh, "memfd");
            } catch (RuntimeException e) {
                LibC.close(fresh);
                throw e;
            }
            adoptedSourceRam = false;
        } catch (RuntimeException e) {
            log.error("could not release the source's RAM after a failed migration; quit this target", e);
        }
    }

    private void timeout(String reason) {
        timeoutReason = reason;
        closeQuietly();
    }

    private void setStatus(MigrationStatus s) {
        status = s;
        manager.emitStatus(s);
    }

    private void closeListener() {
        try {
            listener.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing the migration listener: {}", e.toString());
        }
    }

    private void closeQuietly() {
        closeListener();
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
