package io.jvmm.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmm.ctl.Json;
import io.jvmm.ctl.QmpClient;
import io.jvmm.testkit.QtestClient;
import io.jvmm.testkit.QtestVm;
import io.jvmm.testkit.VmLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One VMM process of the demo, seen from outside: its qtest link (the guest's "vCPU") and its QMP
 * socket (the operator). Started inside the demo's namespace with the seed's devices.
 */
public final class DemoVm implements AutoCloseable {
    private final String name;
    private final QtestVm vm;
    private final QmpClient qmp;
    private final Path dir;

    private final boolean qemu;

    private DemoVm(String name, QtestVm vm, QmpClient qmp, Path dir, boolean qemu) {
        this.qemu = qemu;
        this.name = name;
        this.vm = vm;
        this.qmp = qmp;
        this.dir = dir;
    }

    /** The seed's devices; a target waits for the tap's descriptors ({@code incoming-fds=on}). */
    static List<String> seedDevices(DemoNetwork net, int queues, boolean target, boolean local, boolean qemu) {
        List<String> a = new ArrayList<>();
        a.addAll(List.of("-device", "pcie-pci-bridge,id=pci.1,bus=pcie.0"));
        String tap = target && local
                ? "tap,id=netdev.1,incoming-fds=on,queues=" + queues + ",script=no,downscript=no"
                : "tap,id=netdev.1,ifname=" + DemoNetwork.TAP + ",queues=" + queues + ",vnet_hdr=on,script=no,downscript=no";
        a.addAll(List.of("-netdev", tap));
        a.addAll(List.of("-device", "virtio-net-pci,netdev=netdev.1,id=vnet.1,bus=pci.1,mq=" + (queues > 1 ? "on" : "off")
                + ",vectors=" + (2 * queues + 2) + ",romfile=,disable-legacy=off,mac=" + DemoNetwork.GUEST_MAC
                + (qemu ? "" : ",local-migration=on")));
        return a;
    }

    static DemoVm start(String name, DemoNetwork net, DemoOptions opts, boolean target, boolean local) throws IOException {
        Path dir = Files.createDirectories(net.workDir().resolve(name));
        String mem = opts.memoryMib() + "M";
        List<String> args = new ArrayList<>(List.of("-name", name,
                "-object", "memory-backend-file,id=ram0,size=" + mem + ",mem-path=" + net.ramFile() + ",share=on",
                "-machine", "memory-backend=ram0",
                "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off"));
        args.addAll(seedDevices(net, opts.queues(), target, local, opts.qemu()));
        if (target) {
            args.addAll(List.of("-incoming", "defer"));
        }
        QtestVm vm = (opts.qemu() ? VmLauncher.qemu() : VmLauncher.jvmm(opts.jvmm()))
                .wrapper(net.namespace().execPrefix())
                .machine("q35")
                .memory(mem)
                .workDir(dir)
                .connectTimeout(Duration.ofSeconds(60))
                .args(args)
                .start();
        try {
            QmpClient qmp = connectQmp(dir.resolve("qmp.sock"), vm);
            return new DemoVm(name, vm, qmp, dir, opts.qemu());
        } catch (RuntimeException e) {
            vm.close();
            throw new IllegalStateException(name + ": no QMP: " + e.getMessage() + "\n" + vm.stderr(), e);
        }
    }

    private static QmpClient connectQmp(Path socket, QtestVm vm) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                return QmpClient.connect(socket, Duration.ofSeconds(20));
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || !vm.process().isAlive()) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public String name() {
        return name;
    }

    public QtestClient qtest() {
        return vm.qtest();
    }

    public QtestVm qtestVm() {
        return vm;
    }

    public Path dir() {
        return dir;
    }

    public JsonNode qmp(String command, ObjectNode arguments) {
        return qmp.execute(command, arguments);
    }

    public String status() {
        return qmp("query-status", null).path("status").asText();
    }

    /** The migration capabilities and parameters of the seed's sequence. */
    public void configureMigration(boolean local) {
        ObjectNode caps = Json.object();
        var list = caps.putArray("capabilities");
        list.addObject().put("capability", "events").put("state", true);
        list.addObject().put("capability", "x-ignore-shared").put("state", true);
        qmp("migrate-set-capabilities", caps);
        if (!qemu) { // QEMU 7.2 has no "local" parameter (it is the seed's addition)
            qmp("migrate-set-parameters", Json.object().put("local", local));
        }
    }

    public Optional<JsonNode> nextEvent(Duration wait) {
        return qmp.nextEvent(wait);
    }

    /** Drops events received so far. */
    public void clearEvents() {
        while (qmp.nextEvent(Duration.ZERO).isPresent()) {
            // discard
        }
    }

    /**
     * Waits for event {@code name} and returns its timestamp in microseconds since the epoch (QMP
     * timestamps come from the VMM's wall clock, so two VMMs on one host can be compared).
     */
    public long awaitEventMicros(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> e = qmp.nextEvent(Duration.ofMillis(50));
            if (e.isPresent() && name.equals(e.get().path("event").asText())) {
                return timestampMicros(e.get());
            }
        }
        throw new IllegalStateException(this.name + ": no " + name + " event within " + timeout.toMillis() + " ms");
    }

    /**
     * Returns the timestamp (microseconds since the epoch) of event {@code name} if it arrived by
     * now, without waiting; other events are dropped.
     */
    public OptionalLong pollEventMicros(String name) {
        Optional<JsonNode> e;
        while ((e = qmp.nextEvent(Duration.ZERO)).isPresent()) {
            if (name.equals(e.get().path("event").asText())) {
                return OptionalLong.of(timestampMicros(e.get()));
            }
        }
        return OptionalLong.empty();
    }

    /** An event's QMP timestamp in microseconds since the epoch. */
    private static long timestampMicros(JsonNode event) {
        JsonNode ts = event.path("timestamp");
        return ts.path("seconds").asLong() * 1_000_000L + ts.path("microseconds").asLong();
    }

    public boolean alive() {
        return vm.process().isAlive();
    }

    public String stderr() {
        return vm.stderr();
    }

    /** Quits over QMP and waits for the process; the guest's qtest link is not touched. */
    public int quit() {
        try {
            qmp("quit", null);
        } catch (RuntimeException e) {
            // it may close the socket before answering; the exit status tells
        }
        try {
            if (!vm.process().waitFor(10, TimeUnit.SECONDS)) {
                vm.process().destroyForcibly();
                vm.process().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            vm.process().destroyForcibly();
        }
        return vm.process().exitValue();
    }

    /** Kills the process if it still runs (Ctrl-C, errors), then releases sockets. */
    @Override
    public void close() {
        qmp.close();
        if (vm.process().isAlive()) {
            vm.process().destroyForcibly();
            try {
                vm.process().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        vm.close();
    }
}
