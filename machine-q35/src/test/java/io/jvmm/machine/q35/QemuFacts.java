package io.jvmm.machine.q35;

/**
 * Config space of QEMU 7.2's q35 (-machine q35 -nodefaults -device pcie-pci-bridge,id=pci.1,bus=pcie.0),
 * read through 0xcf8/0xcfc with the testkit right after start-up, before any write. Dwords from
 * offset 0. These are the reference the unit tests hold jvmm to; the conformance tests in
 * distribution compare live against QEMU as well.
 */
final class QemuFacts {
    private QemuFacts() {
    }

    static final long[] MCH = {
        0x29c08086L, 0, 0x06000000L, 0, 0, 0, 0, 0, 0, 0, 0, 0x11001af4L, 0, 0, 0, 0,
        0, 0, 0, 0, 0x00000010L, 0, 0, 0, 0xb0000000L, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0x00380200L};

    static final long[] BRIDGE = {
        0x000e1b36L, 0x00b00000L, 0x06040000L, 0x00010000L, 0x00000004L, 0, 0, 0x00a00000L,
        0, 0x00010001L, 0, 0, 0, 0x0000008cL, 0, 0x00000100L,
        0x0000000cL, 0, 0x00724010L, 0x00008000L, 0, 0x00000411L, 0x00110000L, 0,
        0, 0, 0, 0x00300020L, 0, 0, 0, 0,
        0, 0x00034801L, 0, 0x01808405L, 0, 0, 0, 0, 0};

    static final long[] LPC = {
        0x29188086L, 0, 0x06010002L, 0x00800000L, 0, 0, 0, 0, 0, 0, 0, 0x11001af4L, 0, 0, 0, 0,
        0x00000001L, 0, 0, 0, 0, 0, 0, 0, 0x80808080L, 0, 0x80808080L, 0};

    static final long[] AHCI = {
        0x29228086L, 0x00100000L, 0x01060102L, 0x00800000L, 0, 0, 0, 0, 0x00000001L, 0, 0, 0x11001af4L,
        0, 0x00000080L, 0, 0x00000100L,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x0080a805L, 0, 0, 0, 0x00000040L, 0, 0, 0, 0, 0, 0x00100012L, 0x00000048L};

    static final long[] SMBUS = {
        0x29308086L, 0, 0x0c050002L, 0x00800000L, 0, 0, 0, 0, 0x00000001L, 0, 0, 0x11001af4L, 0, 0, 0, 0x00000100L};

    /** Extended config of the bridge at 0x100 (through ECAM): AER v2. */
    static final long[] BRIDGE_AER = {0x00020001L, 0, 0, 0x00462030L, 0, 0x0000e000L, 0x000000a0L, 0, 0};

    /** BAR sizing (all-ones written) read-back per BAR0..5 (type 0) or BAR0..1 (bridge). */
    static final long[] AHCI_BAR_MASKS = {0, 0, 0, 0, 0xffffffe1L, 0xfffff000L};
    static final long[] SMBUS_BAR_MASKS = {0, 0, 0, 0, 0xffffffc1L, 0};
    static final long[] BRIDGE_BAR_MASKS = {0xffffff04L, 0xffffffffL};

    /** Bridge: all-ones written to the dword at the offset, then read back (from 0 where writable). */
    static final long[][] BRIDGE_WRITE_MASKS = {
        {0x04, 0x00b00507L}, {0x0c, 0x000100ffL}, {0x18, 0xffffffffL}, {0x1c, 0x00a0f0f0L}, {0x20, 0xfff0fff0L},
        {0x24, 0xfff1fff1L}, {0x28, 0xffffffffL}, {0x2c, 0xffffffffL}, {0x30, 0}, {0x3c, 0x0bff01ffL},
        {0x8c, 0x01818405L}, {0x90, 0xfffffffcL}, {0x94, 0xffffffffL}, {0x98, 0x0000ffffL}, {0x84, 0x00034801L},
        {0x88, 0}, {0x50, 0x0000000fL}, {0x58, 0x00110000L}, {0x68, 0}, {0x70, 0x00008020L}};

    /** SHPC registers (bridge BAR0), dword index -> value; the rest read 0. */
    static final long SHPC_SLOT = 0x7f000d0fL;
}
