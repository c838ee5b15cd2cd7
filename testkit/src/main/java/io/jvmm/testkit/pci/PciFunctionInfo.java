package io.jvmm.testkit.pci;

import java.util.List;
import java.util.Optional;

/**
 * What a guest learns about a function by reading its header: the facts the conformance tests compare
 * between QEMU and jvmm.
 *
 * @param headerType the raw byte (bit 7 = multi-function)
 * @param secondaryBus for bridges (header type 1), else 0
 * @param extendedCapabilities from offset 0x100 (only readable through ECAM; empty otherwise)
 */
public record PciFunctionInfo(
        PciAddress address,
        int vendorId,
        int deviceId,
        int revision,
        int classCode,
        int headerType,
        int subsystemVendorId,
        int subsystemId,
        int interruptPin,
        List<PciBarInfo> bars,
        List<PciCapabilityInfo> capabilities,
        List<PciCapabilityInfo> extendedCapabilities,
        int secondaryBus,
        int subordinateBus) {

    public boolean isBridge() {
        return (headerType & 0x7f) == 1;
    }

    public Optional<PciCapabilityInfo> capability(int id) {
        return capabilities.stream().filter(c -> c.id() == id).findFirst();
    }

    public Optional<PciBarInfo> bar(int index) {
        return bars.stream().filter(b -> b.index() == index).findFirst();
    }

    public PciFunctionInfo withBars(List<PciBarInfo> newBars) {
        return new PciFunctionInfo(address, vendorId, deviceId, revision, classCode, headerType, subsystemVendorId,
                subsystemId, interruptPin, List.copyOf(newBars), capabilities, extendedCapabilities, secondaryBus,
                subordinateBus);
    }

    /** A stable one-line summary, used to compare QEMU and jvmm. */
    public String summary() {
        return String.format("%s %04x:%04x rev %02x class %06x hdr %02x subsys %04x:%04x pin %d bars %s caps %s ext %s",
                address, vendorId, deviceId, revision, classCode, headerType, subsystemVendorId, subsystemId,
                interruptPin, bars, capabilities, extendedCapabilities);
    }
}
