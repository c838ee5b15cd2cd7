package io.jvmm.machine.q35.testing;

/**
 * What a guest CPU does in these tests: port and memory accesses through the fake host's address
 * spaces, plus config access through 0xcf8/0xcfc the way libqos does it.
 */
public final class GuestCpu {
    private final FakeHost host;

    public GuestCpu(FakeHost host) {
        this.host = host;
    }

    public long in(int port, int size) {
        return host.io.read(port, size);
    }

    public void out(int port, int size, long value) {
        host.io.write(port, size, value);
    }

    public long read(long addr, int size) {
        return host.system.read(addr, size);
    }

    public void write(long addr, int size, long value) {
        host.system.write(addr, size, value);
    }

    public long cfgRead(int bus, int devfn, int off, int size) {
        out(0xcf8, 4, 0x8000_0000L | bus << 16 | devfn << 8 | (off & 0xfc));
        return in(0xcfc + (off & 3), size);
    }

    public void cfgWrite(int bus, int devfn, int off, int size, long value) {
        out(0xcf8, 4, 0x8000_0000L | bus << 16 | devfn << 8 | (off & 0xfc));
        out(0xcfc + (off & 3), size, value);
    }
}
