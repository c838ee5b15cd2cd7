package io.jvmm.demo;

import io.jvmm.testkit.QtestClient;
import io.jvmm.testkit.mem.GuestPageAllocator;
import io.jvmm.testkit.mem.SharedFileGuestRam;
import io.jvmm.testkit.net.NetResponder;
import io.jvmm.testkit.net.VirtioNetDriver;
import io.jvmm.testkit.net.VirtioNetScenario;
import io.jvmm.testkit.pci.PciFunctionInfo;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The demo's guest: the testkit's virtio-net driver and network responder, with its RAM in the
 * shared file and its "vCPU" a qtest link. Like a real guest, all its device state lives in guest
 * RAM and in the device, so moving it to the target VMM is only moving the link. Like a vCPU, it
 * stops when the source stops ({@link #pause()}) and runs again when the target resumes
 * ({@link #resumeOn}); the link switches to the target's qtest connection in between.
 */
public final class MigratingGuest implements AutoCloseable {
    private final QtestClient link;
    private final SharedFileGuestRam ram;
    private final VirtioNetDriver nic;
    private final byte[] ip;
    private final NetResponder responder;

    private MigratingGuest(QtestClient link, SharedFileGuestRam ram, VirtioNetDriver nic, byte[] ip, NetResponder responder) {
        this.responder = responder;
        this.link = link;
        this.ram = ram;
        this.nic = nic;
        this.ip = ip;
    }

    /** Finds the NIC (assigning BARs as firmware would), brings up {@code pairs} queue pairs, starts answering. */
    public static MigratingGuest bringUp(DemoVm vm, Path ramFile, long ramSize, int pairs, byte[] ip) throws IOException {
        PciFunctionInfo fn = VirtioNetScenario.findNic(vm.qtestVm());
        SharedFileGuestRam ram = SharedFileGuestRam.map(ramFile, ramSize);
        VirtioNetDriver nic = new VirtioNetDriver(VirtioNetScenario.driver(vm.qtestVm(), fn), ram,
                GuestPageAllocator.forQ35(ramSize));
        nic.start(pairs);
        MigratingGuest g = new MigratingGuest(vm.qtest(), ram, nic, ip, new NetResponder(nic, ip, DemoNetwork.ECHO_PORT));
        g.responder.start();
        return g;
    }

    public int pairs() {
        return nic.pairs();
    }

    /** The VM stopped (the source's STOP): the guest's "vCPU" stops with it. */
    public void pause() {
        responder.close();
    }

    /**
     * The VM runs again in {@code vm} (the target's RESUME, or the source's after a failed migration).
     * The same responder carries on, with what it had queued for transmission.
     */
    public void resumeOn(DemoVm vm) {
        responder.close();
        link.switchTo(vm.qtest());
        // A real vCPU stops with its VM, atomically. This one stops when the demo sees the STOP
        // event, a few milliseconds later: doorbells it rang meanwhile reached the stopped source
        // and were lost. Without this, in about one migration in ten one or two receive queues of
        // the new VM waited for a doorbell that never came (their tap queues' threads idle in
        // poll(2) for seconds, the tap dropping their frames; thread dumps of the stalled VMM);
        // with it, 40 migrations in a row lost nothing. Ringing each once more on the VM that now
        // runs gives back what the guest did in that window; a spurious doorbell costs a device nothing.
        nic.ringAll();
        responder.start();
    }

    public long answered() {
        return responder.answered();
    }

    /** Replies dropped because the transmit ring and the backlog were full (the VMM was not taking them). */
    public long dropped() {
        return responder.dropped();
    }

    /** The failure that stopped the responder, if it stopped. */
    public Throwable failure() {
        return responder.failure();
    }

    @Override
    public void close() {
        pause();
        ram.close();
    }
}
