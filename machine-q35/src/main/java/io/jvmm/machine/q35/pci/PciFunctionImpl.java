package io.jvmm.machine.q35.pci;

import static io.jvmm.machine.q35.pci.PciRegs.*;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.memory.AddressSpace;
import io.jvmm.spi.memory.GuestMemory;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.pci.MsixSpec;
import io.jvmm.spi.pci.PciBarSpec;
import io.jvmm.spi.pci.PciCapabilitySpec;
import io.jvmm.spi.pci.PciDevice;
import io.jvmm.spi.pci.PciFunction;
import io.jvmm.spi.pci.PciIdentity;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateException;
import io.jvmm.spi.vmstate.VmStateSubsection;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config-space emulation every PCI function shares: builds the type 0 or type 1 header from the
 * device's {@link PciDevice} description, decodes BARs into address-space regions as the guest
 * programs them (gated by the command register and, behind a bridge, by the bridge's windows), lays
 * out the capability list, runs MSI-X, and routes INTx. The device only says what it is.
 *
 * <p>Guest config accesses arrive under the VM's device lock; MSI-X signals and INTx changes may
 * come from I/O threads and are synchronized where they touch shared state.
 */
public final class PciFunctionImpl implements PciFunction {
    private static final Logger LOG = LoggerFactory.getLogger(PciFunctionImpl.class);
    /** QEMU's default subsystem ids for functions that do not set their own (Red Hat, QEMU). */
    public static final int DEFAULT_SUBSYSTEM_VENDOR = 0x1af4, DEFAULT_SUBSYSTEM_ID = 0x1100;
    private static final long UNMAPPED = -1;

    private final PciBusImpl bus;
    private final int devfn;
    private final PciDevice device;
    private final String name;
    private final PciIdentity identity;
    private final boolean bridge;
    private final PciConfigSpace cfg;
    private final Bar[] bars = new Bar[6];
    private final Msix msix;
    private int msixCapOffset;
    private PciBusImpl secondary;
    private volatile boolean busMaster;
    private boolean intxLevel;
    private boolean intxAsserted;
    private byte[] resetImage;

    /** One BAR: its spec, the handler the guest reaches, and its region once it has an address. */
    private static final class Bar {
        final PciBarSpec spec;
        final IoHandler handler;
        AddressSpace.Region region;
        long address = UNMAPPED;

        Bar(PciBarSpec spec, IoHandler handler) {
            this.spec = spec;
            this.handler = handler;
        }

        boolean io() {
            return spec.kind() == PciBarSpec.Kind.IO;
        }
    }

    PciFunctionImpl(PciBusImpl bus, int devfn, PciDevice device, String name) {
        this.bus = bus;
        this.devfn = devfn;
        this.device = device;
        this.name = name;
        this.identity = device.identity();
        int type = identity.headerType() & 0x7f;
        if (type != 0 && type != 1) {
            throw new ConfigException(name + ": header type " + type + " is not supported (0 or 1)");
        }
        this.bridge = type == 1;
        List<PciCapabilitySpec> caps = device.capabilities();
        boolean express = caps.stream().anyMatch(c -> c.id() == CAP_ID_EXP);
        this.cfg = new PciConfigSpace(express ? PciConfigSpace.EXPRESS_SIZE : PciConfigSpace.CONVENTIONAL_SIZE);
        Optional<MsixSpec> msixSpec = device.msix();
        this.msix = msixSpec.map(s -> new Msix(s, this::deliverMsi)).orElse(null);
        buildHeader();
        buildBars();
        buildCapabilities(caps);
    }

    // ---- construction -----------------------------------------------------------------------------

    private void buildHeader() {
        cfg.set(VENDOR_ID, 2, identity.vendorId());
        cfg.set(DEVICE_ID, 2, identity.deviceId());
        cfg.set(REVISION_ID, 1, identity.revision());
        cfg.set(CLASS_PROG, 3, identity.classCode());
        cfg.set(HEADER_TYPE, 1, identity.headerType() & 0x7f);
        cfg.set(INTERRUPT_PIN, 1, identity.interruptPin());
        cfg.setWmask(COMMAND, 2, CMD_WMASK);
        cfg.setW1cmask(STATUS, 2, STATUS_W1C);
        cfg.setWmask(CACHE_LINE_SIZE, 1, 0xff);
        cfg.setWmask(INTERRUPT_LINE, 1, 0xff);
        // Device-specific space is guest-writable unless something claims it (QEMU's
        // pci_init_wmask); capabilities below and device models narrow it.
        for (int o = 0x40; o < cfg.size(); o++) {
            cfg.setWmask(o, 1, 0xff);
        }
        if (!bridge) {
            int sv = identity.subsystemVendorId() != 0 ? identity.subsystemVendorId() : DEFAULT_SUBSYSTEM_VENDOR;
            int sd = identity.subsystemVendorId() != 0 ? identity.subsystemId() : DEFAULT_SUBSYSTEM_ID;
            cfg.set(SUBSYSTEM_VENDOR_ID, 2, sv);
            cfg.set(SUBSYSTEM_ID, 2, sd);
        } else {
            buildBridgeHeader();
        }
    }

    /** Type 1 header: bus numbers, windows and bridge control writable as in QEMU's pci_bridge_initfn. */
    private void buildBridgeHeader() {
        cfg.set(STATUS, 2, STATUS_66MHZ | STATUS_FAST_BACK);
        cfg.setWmask(PRIMARY_BUS, 4, 0xffff_ffffL); // primary, secondary, subordinate, secondary latency
        cfg.setWmask(IO_BASE, 2, 0xf0f0);
        cfg.set(SEC_STATUS, 2, STATUS_66MHZ | STATUS_FAST_BACK);
        cfg.setW1cmask(SEC_STATUS, 2, STATUS_W1C);
        cfg.setWmask(MEMORY_BASE, 4, 0xfff0_fff0L);
        // prefetchable window: 64-bit capable (low nibble 1 in base and limit, read-only)
        cfg.set(PREF_MEMORY_BASE, 4, 0x0001_0001L);
        cfg.setWmask(PREF_MEMORY_BASE, 4, 0xfff0_fff0L);
        cfg.setWmask(PREF_BASE_UPPER32, 4, 0xffff_ffffL);
        cfg.setWmask(PREF_LIMIT_UPPER32, 4, 0xffff_ffffL);
        cfg.setWmask(BRIDGE_CONTROL, 2, 0x0bff);
        cfg.setW1cmask(BRIDGE_CONTROL, 2, 0x0400); // discard timer status
    }

    private void buildBars() {
        int maxBars = bridge ? 2 : 6;
        List<PciBarSpec> specs = new ArrayList<>(device.bars());
        if (msix != null) {
            MsixSpec s = msix.spec();
            boolean declared = specs.stream().anyMatch(b -> b.index() == s.tableBar());
            if (!declared) {
                // An exclusive MSI-X BAR, as QEMU's msix_init_exclusive_bar: table and PBA in a
                // power-of-two memory BAR of at least 4 KiB that the device does not handle itself.
                long end = Math.max(s.tableOffset() + msix.tableSize(), s.pbaOffset() + msix.pbaSize());
                long size = Math.max(4096, Long.highestOneBit(Math.max(1, end - 1)) << 1);
                specs.add(new PciBarSpec(s.tableBar(), PciBarSpec.Kind.MEMORY32, size, false, IoHandler.UNASSIGNED));
            } else if (s.pbaBar() != s.tableBar() && specs.stream().noneMatch(b -> b.index() == s.pbaBar())) {
                throw new ConfigException(name + ": MSI-X PBA is in BAR " + s.pbaBar() + " which the device does not declare");
            }
        }
        for (PciBarSpec spec : specs) {
            int i = spec.index();
            if (i >= maxBars || (spec.kind() == PciBarSpec.Kind.MEMORY64 && i + 1 >= maxBars)) {
                throw new ConfigException(name + ": BAR " + i + " does not exist in a type " + (bridge ? 1 : 0) + " header");
            }
            if (bars[i] != null || (spec.kind() == PciBarSpec.Kind.MEMORY64 && bars[i + 1] != null)
                    || (i > 0 && bars[i - 1] != null && bars[i - 1].spec.kind() == PciBarSpec.Kind.MEMORY64)) {
                throw new ConfigException(name + ": BAR " + i + " is declared twice or overlaps a 64-bit BAR");
            }
            if (spec.kind() == PciBarSpec.Kind.IO && spec.size() > 256) {
                throw new ConfigException(name + ": I/O BAR " + i + " of " + spec.size() + " bytes exceeds 256");
            }
            if (spec.kind() != PciBarSpec.Kind.IO && spec.size() < 16) {
                throw new ConfigException(name + ": memory BAR " + i + " must be at least 16 bytes");
            }
            IoHandler handler = spec.handler() == null ? IoHandler.UNASSIGNED : spec.handler();
            if (msix != null && (msix.spec().tableBar() == i || msix.spec().pbaBar() == i)) {
                handler = new MsixBarHandler(handler, msix, i);
            }
            bars[i] = new Bar(spec, handler);
            int off = BAR0 + 4 * i;
            long sizeMask = ~(spec.size() - 1);
            switch (spec.kind()) {
                case IO -> {
                    cfg.set(off, 4, BAR_IO);
                    cfg.setWmask(off, 4, sizeMask & 0xffff_fffcL);
                }
                case MEMORY32 -> {
                    cfg.set(off, 4, spec.prefetchable() ? BAR_MEM_PREFETCH : 0);
                    cfg.setWmask(off, 4, sizeMask & 0xffff_fff0L);
                }
                case MEMORY64 -> {
                    cfg.set(off, 4, BAR_MEM_64 | (spec.prefetchable() ? BAR_MEM_PREFETCH : 0));
                    cfg.setWmask(off, 4, sizeMask & 0xffff_fff0L);
                    cfg.setWmask(off + 4, 4, sizeMask >>> 32);
                }
            }
        }
    }

    /** Routes a BAR's accesses to the MSI-X table or PBA when they fall inside them, else to the device. */
    private static final class MsixBarHandler implements IoHandler {
        private final IoHandler inner;
        private final Msix msix;
        private final long tableStart, tableEnd, pbaStart, pbaEnd;

        MsixBarHandler(IoHandler inner, Msix msix, int barIndex) {
            this.inner = inner;
            this.msix = msix;
            MsixSpec s = msix.spec();
            boolean table = s.tableBar() == barIndex;
            boolean pba = s.pbaBar() == barIndex;
            this.tableStart = table ? s.tableOffset() : -1;
            this.tableEnd = table ? s.tableOffset() + msix.tableSize() : -1;
            this.pbaStart = pba ? s.pbaOffset() : -1;
            this.pbaEnd = pba ? s.pbaOffset() + msix.pbaSize() : -1;
        }

        @Override
        public long read(long offset, int size) {
            if (offset >= tableStart && offset + size <= tableEnd) {
                return msix.tableHandler.read(offset - tableStart, size);
            }
            if (offset >= pbaStart && offset + size <= pbaEnd) {
                return msix.pbaHandler.read(offset - pbaStart, size);
            }
            return inner.read(offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            if (offset >= tableStart && offset + size <= tableEnd) {
                msix.tableHandler.write(offset - tableStart, size, value);
            } else if (offset >= pbaStart && offset + size <= pbaEnd) {
                msix.pbaHandler.write(offset - pbaStart, size, value);
            } else {
                inner.write(offset, size, value);
            }
        }
    }

    private void buildCapabilities(List<PciCapabilitySpec> caps) {
        // The list reads in the order the device gives; MSI-X, when present, heads it, as in QEMU
        // where msix_init runs last and pci_add_capability links new capabilities at the head.
        List<int[]> placed = new ArrayList<>(); // {offset, length}
        int next = 0x40;
        int headOffset = 0;
        int prevNextPtr = -1;
        if (msix != null) {
            int off = msix.spec().capabilityOffset();
            int len = 12;
            if (off == 0) {
                off = autoPlace(caps, len);
            }
            checkPlacement(placed, off, len, "MSI-X");
            placed.add(new int[] {off, len});
            msixCapOffset = off;
            MsixSpec s = msix.spec();
            cfg.setWmask(off, len, 0);
            cfg.set(off, 1, CAP_ID_MSIX);
            cfg.set(off + 2, 2, s.vectors() - 1);
            cfg.setWmask(off + 2, 2, Msix.CTRL_ENABLE | Msix.CTRL_FUNCTION_MASK);
            cfg.set(off + 4, 4, s.tableOffset() | s.tableBar());
            cfg.set(off + 8, 4, s.pbaOffset() | s.pbaBar());
            if ((s.tableOffset() & 7) != 0 || (s.pbaOffset() & 7) != 0) {
                throw new ConfigException(name + ": MSI-X table and PBA offsets must be 8-byte aligned");
            }
            headOffset = off;
            prevNextPtr = off + 1;
        }
        for (PciCapabilitySpec c : caps) {
            int len = c.body().length + 2;
            int off = c.offset();
            if (off == 0) {
                off = Math.max(next, nextFree(placed));
            }
            checkPlacement(placed, off, len, String.format("capability 0x%02x", c.id()));
            placed.add(new int[] {off, len});
            next = (off + len + 3) & ~3;
            cfg.setWmask(off, len, 0);
            cfg.set(off, 1, c.id());
            for (int i = 0; i < c.body().length; i++) {
                cfg.set(off + 2 + i, 1, c.body()[i]);
                if (c.writableMask() != null && i < c.writableMask().length) {
                    cfg.setWmask(off + 2 + i, 1, c.writableMask()[i]);
                }
            }
            if (prevNextPtr < 0) {
                headOffset = off;
            } else {
                cfg.set(prevNextPtr, 1, off);
            }
            prevNextPtr = off + 1;
        }
        if (headOffset != 0) {
            cfg.set(CAPABILITY_LIST, 1, headOffset);
            cfg.set(STATUS, 2, cfg.get(STATUS, 2) | STATUS_CAP_LIST);
        }
    }

    private int autoPlace(List<PciCapabilitySpec> caps, int len) {
        // after every fixed-offset capability, or at 0x40
        int end = 0x40;
        int auto = 0x40;
        for (PciCapabilitySpec c : caps) {
            if (c.offset() != 0) {
                end = Math.max(end, c.offset() + c.body().length + 2);
            } else {
                auto += c.body().length + 2;
            }
        }
        return (Math.max(end, auto) + 3) & ~3;
    }

    private int nextFree(List<int[]> placed) {
        int end = 0x40;
        for (int[] p : placed) {
            end = Math.max(end, p[0] + p[1]);
        }
        return (end + 3) & ~3;
    }

    private void checkPlacement(List<int[]> placed, int off, int len, String what) {
        if (off < 0x40 || off + len > 0x100 || (off & 3) != 0) {
            throw new ConfigException(name + ": " + what + " at 0x" + Integer.toHexString(off)
                    + " must be dword-aligned within 0x40..0xff");
        }
        for (int[] p : placed) {
            if (off < p[0] + p[1] && p[0] < off + len) {
                throw new ConfigException(name + ": " + what + " at 0x" + Integer.toHexString(off)
                        + " overlaps the capability at 0x" + Integer.toHexString(p[0]));
            }
        }
    }

    void markMultiFunction() {
        cfg.set(HEADER_TYPE, 1, cfg.get(HEADER_TYPE, 1) | HEADER_MULTI_FUNCTION);
        if (resetImage != null) {
            resetImage[HEADER_TYPE] |= (byte) HEADER_MULTI_FUNCTION;
        }
    }

    /** Called once by the bus after plugging: saves the power-on image, registers state, tells the device. */
    void realize() {
        resetImage = cfg.snapshot();
        bus.platform().stateRegistry().accept(stateId(), (VmStateful) this::vmstate);
        device.realized(this);
        resetImage = cfg.snapshot(); // the device may have set its own bytes in realized()
    }

    // ---- identity ----------------------------------------------------------------------------------

    public String name() {
        return name;
    }

    public PciBusImpl bus() {
        return bus;
    }

    PciPlatform platform() {
        return bus.platform();
    }

    public PciDevice device() {
        return device;
    }

    /** Stable id for migration: bus id and slot.function, like QEMU's "0000:00:01.0" idstr. */
    public String stateId() {
        return "pci/" + bus.id() + "/" + PciBusImpl.formatDevfn(devfn);
    }

    public boolean isBridge() {
        return bridge;
    }

    public PciConfigSpace config() {
        return cfg;
    }

    @Override
    public int busNumber() {
        return bus.number();
    }

    @Override
    public int devfn() {
        return devfn;
    }

    @Override
    public GuestMemory dma() {
        return bus.platform().memory();
    }

    @Override
    public boolean busMasterEnabled() {
        return busMaster;
    }

    // ---- guest config accesses -----------------------------------------------------------------

    /** A config read from the guest (0xcfc or ECAM); beyond this function's config size reads all-ones. */
    public long guestRead(int offset, int size) {
        if (!cfg.contains(offset, size)) {
            return size == 4 ? 0xffff_ffffL : (1L << (8 * size)) - 1;
        }
        OptionalLong own = device.configRead(offset, size);
        if (own.isPresent()) {
            return own.getAsLong();
        }
        return cfg.get(offset, size);
    }

    /** A config write from the guest: masks applied, then whatever the written bytes control is updated. */
    public void guestWrite(int offset, int size, long value) {
        if (!cfg.contains(offset, size)) {
            return;
        }
        int oldCommand = (int) cfg.get(COMMAND, 2);
        cfg.guestWrite(offset, size, value);
        int end = offset + size;
        if (overlaps(offset, end, COMMAND, 2)) {
            commandWritten(oldCommand);
        }
        int barEnd = BAR0 + 4 * (bridge ? 2 : 6);
        if (overlaps(offset, end, BAR0, barEnd - BAR0)) {
            updateMappings();
        }
        if (bridge && secondary != null && (overlaps(offset, end, IO_BASE, 2) || overlaps(offset, end, MEMORY_BASE, 0x14))) {
            secondary.remapAll();
        }
        if (msix != null && overlaps(offset, end, msixCapOffset + 2, 2)) {
            msix.controlWritten((int) cfg.get(msixCapOffset + 2, 2));
        }
        device.configWritten(offset, size, value);
    }

    private static boolean overlaps(int start, int end, int regStart, int regLen) {
        return start < regStart + regLen && regStart < end;
    }

    private void commandWritten(int oldCommand) {
        int cmd = (int) cfg.get(COMMAND, 2);
        int changed = cmd ^ oldCommand;
        if ((changed & (CMD_IO | CMD_MEMORY)) != 0) {
            updateMappings();
            if (bridge && secondary != null) {
                secondary.remapAll();
            }
        }
        if ((changed & CMD_MASTER) != 0) {
            busMaster = (cmd & CMD_MASTER) != 0;
            device.busMasterChanged(busMaster);
        }
        if ((changed & CMD_INTX_DISABLE) != 0) {
            updateIntx();
        }
    }

    // ---- BARs --------------------------------------------------------------------------------------

    /** The address a BAR decodes at, or -1 if it does not decode (disabled, unassigned, out of range). */
    private long decodedAddress(Bar bar) {
        int cmd = (int) cfg.get(COMMAND, 2);
        int off = BAR0 + 4 * bar.spec.index();
        long size = bar.spec.size();
        long addr;
        switch (bar.spec.kind()) {
            case IO -> {
                if ((cmd & CMD_IO) == 0) {
                    return UNMAPPED;
                }
                addr = cfg.get(off, 4) & 0xffff_fffcL;
                // the port space is 64 KiB: a BAR placed beyond it (e.g. during sizing) decodes nothing
                if (addr + size > 0x1_0000L) {
                    return UNMAPPED;
                }
            }
            case MEMORY32 -> {
                if ((cmd & CMD_MEMORY) == 0) {
                    return UNMAPPED;
                }
                addr = cfg.get(off, 4) & 0xffff_fff0L;
                if (addr + size - 1 >= 0xffff_ffffL) {
                    return UNMAPPED; // all-ones while the guest sizes it
                }
            }
            default -> {
                if ((cmd & CMD_MEMORY) == 0) {
                    return UNMAPPED;
                }
                addr = (cfg.get(off, 4) & 0xffff_fff0L) | (cfg.get(off + 4, 4) << 32);
                if (addr + size - 1 < addr || addr + size - 1 == -1L) {
                    return UNMAPPED;
                }
            }
        }
        if (addr == 0) {
            return UNMAPPED; // never assigned
        }
        if (!bus.forwards(bar.io(), addr, size)) {
            return UNMAPPED;
        }
        return addr;
    }

    /** Places, moves or disables every BAR's region to match what the guest programmed. */
    void updateMappings() {
        for (Bar bar : bars) {
            if (bar == null) {
                continue;
            }
            long addr = decodedAddress(bar);
            if (addr == bar.address) {
                continue;
            }
            if (addr == UNMAPPED) {
                if (bar.region != null) {
                    bar.region.setEnabled(false);
                }
            } else {
                AddressSpace space = bar.io() ? bus.platform().ioPorts() : bus.platform().systemMemory();
                try {
                    if (bar.region == null) {
                        bar.region = space.map(name + "-bar" + bar.spec.index(), addr, bar.spec.size(), bar.handler);
                    } else {
                        bar.region.move(addr);
                        bar.region.setEnabled(true);
                    }
                } catch (IllegalArgumentException e) {
                    // a guest may place a 64-bit BAR beyond the address space: it then decodes nothing
                    LOG.debug("{}: BAR{} at 0x{} does not fit the address space: {}", name, bar.spec.index(),
                            Long.toHexString(addr), e.getMessage());
                    if (bar.region != null) {
                        bar.region.setEnabled(false);
                    }
                    addr = UNMAPPED;
                }
            }
            bar.address = addr;
        }
        if (bridge && secondary != null) {
            secondary.remapAll();
        }
    }

    @Override
    public long barAddress(int index) {
        if (index < 0 || index > 5 || bars[index] == null) {
            return -1;
        }
        return bars[index].address;
    }

    // ---- bridge ------------------------------------------------------------------------------------

    void attachSecondaryBus(PciBusImpl bus) {
        if (!bridge) {
            throw new IllegalStateException(name + " is not a bridge (header type 0)");
        }
        this.secondary = bus;
    }

    public Optional<PciBusImpl> secondaryBus() {
        return Optional.ofNullable(secondary);
    }

    int secondaryBusNumber() {
        return (int) cfg.get(SECONDARY_BUS, 1);
    }

    int subordinateBusNumber() {
        return (int) cfg.get(SUBORDINATE_BUS, 1);
    }

    /** Whether this bridge forwards an access to [addr, addr+size) downstream (command bit + window). */
    boolean bridgeForwards(boolean io, long addr, long size) {
        int cmd = (int) cfg.get(COMMAND, 2);
        long last = addr + size - 1;
        if (io) {
            if ((cmd & CMD_IO) == 0) {
                return false;
            }
            long base = (cfg.get(IO_BASE, 1) & 0xf0) << 8;
            long limit = ((cfg.get(IO_LIMIT, 1) & 0xf0) << 8) | 0xfff;
            return addr >= base && last <= limit;
        }
        if ((cmd & CMD_MEMORY) == 0) {
            return false;
        }
        long base = (cfg.get(MEMORY_BASE, 2) & 0xfff0) << 16;
        long limit = ((cfg.get(MEMORY_LIMIT, 2) & 0xfff0) << 16) | 0xf_ffff;
        if (addr >= base && last <= limit) {
            return true;
        }
        long pbase = ((cfg.get(PREF_MEMORY_BASE, 2) & 0xfff0) << 16) | (cfg.get(PREF_BASE_UPPER32, 4) << 32);
        long plimit = ((cfg.get(PREF_MEMORY_LIMIT, 2) & 0xfff0) << 16) | 0xf_ffff | (cfg.get(PREF_LIMIT_UPPER32, 4) << 32);
        return Long.compareUnsigned(addr, pbase) >= 0 && Long.compareUnsigned(last, plimit) <= 0;
    }

    // ---- interrupts --------------------------------------------------------------------------------

    @Override
    public void setIntx(boolean level) {
        synchronized (this) {
            intxLevel = level;
            cfg.set(STATUS, 2, level ? cfg.get(STATUS, 2) | STATUS_INTERRUPT : cfg.get(STATUS, 2) & ~STATUS_INTERRUPT);
        }
        updateIntx();
    }

    private void updateIntx() {
        int pin = identity.interruptPin();
        if (pin < 1 || pin > 4) {
            return;
        }
        int delta;
        synchronized (this) {
            boolean assert_ = intxLevel && (cfg.get(COMMAND, 2) & CMD_INTX_DISABLE) == 0;
            if (assert_ == intxAsserted) {
                return;
            }
            intxAsserted = assert_;
            delta = assert_ ? 1 : -1;
        }
        bus.intx(devfn >> 3, pin - 1, delta);
    }

    /** The GSI this function's INTx pin reaches, or -1 without a pin. */
    public int intxGsi() {
        int pin = identity.interruptPin();
        return pin < 1 || pin > 4 ? -1 : bus.gsiFor(devfn, pin - 1);
    }

    private void deliverMsi(long address, int data) {
        if (!busMaster) {
            // the message is a memory write by the function: without bus mastering it never happens
            LOG.debug("{}: MSI-X message dropped, bus mastering is off", name);
            return;
        }
        bus.platform().interrupts().sendMsi(address, data);
    }

    @Override
    public boolean msixEnabled() {
        return msix != null && msix.enabled();
    }

    @Override
    public void msixNotify(int vector) {
        if (msix != null) {
            msix.notifyVector(vector);
        }
    }

    @Override
    public boolean msixMasked(int vector) {
        return msix == null || msix.masked(vector);
    }

    public Optional<Msix> msix() {
        return Optional.ofNullable(msix);
    }

    // ---- device-side config access ----------------------------------------------------------------

    /** The stored bytes, without the device's read hook (see the SPI's contract). */
    @Override
    public long configRead(int offset, int size) {
        if (!cfg.contains(offset, size)) {
            throw new IllegalArgumentException(name + ": config offset 0x" + Integer.toHexString(offset) + "+" + size
                    + " is outside its " + cfg.size() + "-byte config space");
        }
        return cfg.get(offset, size);
    }

    @Override
    public void configSet(int offset, int size, long value) {
        if (!cfg.contains(offset, size)) {
            throw new IllegalArgumentException(name + ": config offset 0x" + Integer.toHexString(offset) + "+" + size
                    + " is outside its " + cfg.size() + "-byte config space");
        }
        cfg.set(offset, size, value);
    }

    // ---- reset and migration -------------------------------------------------------------------------

    /** Function-level reset: power-on config, BARs unmapped, MSI-X masked and disabled, INTx low. */
    public void reset() {
        cfg.restore(resetImage);
        if (msix != null) {
            msix.reset();
        }
        boolean wasMaster = busMaster;
        busMaster = false;
        synchronized (this) {
            intxLevel = false;
        }
        updateIntx();
        updateMappings();
        if (wasMaster) {
            device.busMasterChanged(false);
        }
        device.reset();
    }

    /**
     * Saved: the raw config bytes (they hold BAR addresses, command, bus numbers, windows), the INTx
     * level, and the MSI-X table and PBA in a subsection present only for MSI-X functions. Loading
     * re-derives everything else (mappings, bus master, routing) from those bytes.
     */
    public VmStateDescription vmstate() {
        List<VmStateSubsection> subs = new ArrayList<>();
        if (msix != null) {
            subs.add(new VmStateSubsection("pci-msix", 1, () -> true,
                    out -> {
                        out.bytes("table", msix.tableSnapshot());
                        out.bytes("pba", msix.pbaSnapshot());
                    },
                    (in, version) -> {
                        byte[] t = in.bytes("table", msix.tableSize());
                        byte[] p = in.bytes("pba", msix.pbaSize());
                        msix.restore(t, p, (int) cfg.get(msixCapOffset + 2, 2));
                    }));
        }
        return new VmStateDescription("pci-function", 1, 1,
                out -> {
                    out.bytes("config", cfg.snapshot());
                    out.bool("intx-level", intxLevel);
                },
                (in, version) -> {
                    byte[] bytes = in.bytes("config", cfg.size());
                    if (bytes.length != cfg.size()) {
                        throw new VmStateException(stateId() + ": config of " + bytes.length + " bytes, expected " + cfg.size());
                    }
                    checkIdentity(bytes);
                    cfg.restore(bytes);
                    boolean level = in.bool("intx-level");
                    postLoad(level);
                },
                subs);
    }

    /** A stream from another device at this address would load garbage: refuse it by its ids. */
    private void checkIdentity(byte[] bytes) {
        int vendor = (bytes[0] & 0xff) | (bytes[1] & 0xff) << 8;
        int dev = (bytes[2] & 0xff) | (bytes[3] & 0xff) << 8;
        if (vendor != identity.vendorId() || dev != identity.deviceId()) {
            throw new VmStateException(String.format("%s: stream holds %04x:%04x, this function is %04x:%04x",
                    stateId(), vendor, dev, identity.vendorId(), identity.deviceId()));
        }
    }

    private void postLoad(boolean level) {
        boolean master = (cfg.get(COMMAND, 2) & CMD_MASTER) != 0;
        if (master != busMaster) {
            busMaster = master;
            device.busMasterChanged(master);
        }
        for (Bar b : bars) {
            if (b != null) {
                b.address = -2; // force re-evaluation
            }
        }
        updateMappings();
        if (msix != null && msix.spec() != null) {
            msix.controlWritten((int) cfg.get(msixCapOffset + 2, 2));
        }
        setIntx(level);
        if (device instanceof ConfigLoaded l) {
            l.configLoaded();
        }
    }

    /**
     * For built-in functions whose chipset registers switch something outside config space (the
     * MCH's PCIEXBAR places ECAM): told after a migration load restored their config bytes.
     */
    public interface ConfigLoaded {
        void configLoaded();
    }

    @Override
    public String toString() {
        return name + "@" + bus.id() + ":" + PciBusImpl.formatDevfn(devfn);
    }
}
