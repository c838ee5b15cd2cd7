package io.jvmm.machine.q35.pci;

/** Configuration header offsets and bits (PCI Local Bus spec, PCI-to-PCI bridge spec). */
public final class PciRegs {
    private PciRegs() {
    }

    public static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06;
    public static final int REVISION_ID = 0x08, CLASS_PROG = 0x09, CACHE_LINE_SIZE = 0x0c, LATENCY_TIMER = 0x0d;
    public static final int HEADER_TYPE = 0x0e, BAR0 = 0x10, SUBSYSTEM_VENDOR_ID = 0x2c, SUBSYSTEM_ID = 0x2e;
    public static final int ROM_ADDRESS = 0x30, CAPABILITY_LIST = 0x34, INTERRUPT_LINE = 0x3c, INTERRUPT_PIN = 0x3d;

    // type 1 (bridge) header
    public static final int PRIMARY_BUS = 0x18, SECONDARY_BUS = 0x19, SUBORDINATE_BUS = 0x1a, SEC_LATENCY = 0x1b;
    public static final int IO_BASE = 0x1c, IO_LIMIT = 0x1d, SEC_STATUS = 0x1e, MEMORY_BASE = 0x20, MEMORY_LIMIT = 0x22;
    public static final int PREF_MEMORY_BASE = 0x24, PREF_MEMORY_LIMIT = 0x26, PREF_BASE_UPPER32 = 0x28;
    public static final int PREF_LIMIT_UPPER32 = 0x2c, IO_BASE_UPPER16 = 0x30, IO_LIMIT_UPPER16 = 0x32;
    public static final int BRIDGE_ROM_ADDRESS = 0x38, BRIDGE_CONTROL = 0x3e;

    public static final int CMD_IO = 0x1, CMD_MEMORY = 0x2, CMD_MASTER = 0x4, CMD_SERR = 0x100, CMD_INTX_DISABLE = 0x400;
    /** Bits QEMU lets a guest write in the command register (pci_init_wmask). */
    public static final int CMD_WMASK = CMD_IO | CMD_MEMORY | CMD_MASTER | CMD_SERR | CMD_INTX_DISABLE;
    public static final int STATUS_INTERRUPT = 0x08, STATUS_CAP_LIST = 0x10, STATUS_66MHZ = 0x20, STATUS_FAST_BACK = 0x80;
    /** Error bits of (secondary) status: master/target aborts, parity, SERR; write 1 to clear. */
    public static final int STATUS_W1C = 0xf900;

    public static final int HEADER_MULTI_FUNCTION = 0x80;

    public static final int BAR_IO = 0x1, BAR_MEM_64 = 0x4, BAR_MEM_PREFETCH = 0x8;

    public static final int CAP_ID_PM = 0x01, CAP_ID_MSI = 0x05, CAP_ID_VENDOR = 0x09, CAP_ID_SHPC = 0x0c;
    public static final int CAP_ID_EXP = 0x10, CAP_ID_MSIX = 0x11, CAP_ID_SATA = 0x12;
}
