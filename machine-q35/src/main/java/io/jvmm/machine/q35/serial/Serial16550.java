package io.jvmm.machine.q35.serial;

import io.jvmm.spi.irq.IrqLine;
import io.jvmm.spi.memory.IoHandler;
import io.jvmm.spi.vmstate.VmStateDescription;
import io.jvmm.spi.vmstate.VmStateful;
import java.util.ArrayDeque;

/**
 * A 16550A UART (QEMU's isa-serial at 0x3f8, IRQ 4): eight byte registers, a 16-byte receive FIFO,
 * divisor latch, loopback, and the interrupt identification priorities (line status, received
 * data, transmitter empty, modem status). Transmission is immediate: a byte written to THR goes to
 * the backend at once and the transmitter reads empty again.
 *
 * <p>Guest accesses come under the device lock; input arrives on the backend's thread. Both
 * synchronize on this object; input waits while the FIFO is full instead of dropping bytes.
 */
public final class Serial16550 implements IoHandler, VmStateful {
    public static final int COM1_BASE = 0x3f8, COM1_IRQ = 4, REGISTERS = 8;
    static final int RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    static final int LCR_DLAB = 0x80, MCR_LOOP = 0x10, MCR_OUT2 = 0x08;
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    static final int IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08;
    static final int IIR_NO_INT = 0x01, IIR_MSI = 0x00, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_RLSI = 0x06;
    static final int IIR_FIFO_ENABLED = 0xc0, FCR_FIFO_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;
    static final int FIFO_SIZE = 16;
    private static final int MSR_DEFAULT = 0xb0; // DCD, DSR, CTS asserted: a modem that is always ready

    private final CharBackend backend;
    private final IrqLine irq;
    private final ArrayDeque<Integer> rx = new ArrayDeque<>();
    private int divider;
    private int ier;
    private int iir;
    private int lcr;
    private int mcr;
    private int lsr;
    private int msr;
    private int scr;
    private int fcr;
    private boolean thrIpending;
    private boolean irqLevel;

    public Serial16550(CharBackend backend, IrqLine irq) {
        this.backend = backend;
        this.irq = irq;
        reset();
    }

    /** Starts input from the backend (after the machine is built). */
    public void start() {
        backend.start(this::receive);
    }

    public String backendDescription() {
        return backend.describe();
    }

    public synchronized void reset() {
        divider = 12; // 9600 baud, as QEMU's serial_reset
        ier = 0;
        iir = IIR_NO_INT;
        lcr = 0;
        mcr = MCR_OUT2;
        lsr = LSR_TEMT | LSR_THRE;
        msr = MSR_DEFAULT;
        scr = 0;
        fcr = 0;
        thrIpending = false;
        rx.clear();
        notifyAll();
        updateIrq();
    }

    private int fifoCapacity() {
        return (fcr & FCR_FIFO_ENABLE) != 0 ? FIFO_SIZE : 1;
    }

    /** A byte from the outside; waits while the guest has not made room (never drops). */
    synchronized void receive(int b) throws InterruptedException {
        while (rx.size() >= fifoCapacity() || (mcr & MCR_LOOP) != 0) {
            wait();
        }
        rx.add(b & 0xff);
        lsr |= LSR_DR;
        updateIrq();
    }

    @Override
    public synchronized long read(long offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | readRegister((int) offset + i);
        }
        return v;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            writeRegister((int) offset + i, (int) (value >>> (8 * i)) & 0xff);
        }
    }

    private int readRegister(int reg) {
        switch (reg) {
            case RBR -> {
                if ((lcr & LCR_DLAB) != 0) {
                    return divider & 0xff;
                }
                int b = rx.isEmpty() ? 0 : rx.poll();
                if (rx.isEmpty()) {
                    lsr &= ~LSR_DR;
                }
                notifyAll(); // room for the input thread
                updateIrq();
                return b;
            }
            case IER -> {
                return (lcr & LCR_DLAB) != 0 ? (divider >>> 8) & 0xff : ier;
            }
            case IIR -> {
                int v = iir;
                if ((v & 0x0f) == IIR_THRI) {
                    thrIpending = false; // reading IIR acknowledges a THR-empty interrupt
                    updateIrq();
                }
                return v;
            }
            case LCR -> {
                return lcr;
            }
            case MCR -> {
                return mcr;
            }
            case LSR -> {
                int v = lsr;
                lsr &= ~LSR_OE; // error bits clear on read
                updateIrq();
                return v;
            }
            case MSR -> {
                if ((mcr & MCR_LOOP) != 0) {
                    // loopback: outputs feed the modem inputs (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD)
                    return (mcr & 0x0c) << 4 | (mcr & 0x02) << 3 | (mcr & 0x01) << 5;
                }
                return msr;
            }
            case SCR -> {
                return scr;
            }
            default -> {
                return 0xff;
            }
        }
    }

    private void writeRegister(int reg, int v) {
        switch (reg) {
            case THR -> {
                if ((lcr & LCR_DLAB) != 0) {
                    divider = (divider & 0xff00) | v;
                    return;
                }
                if ((mcr & MCR_LOOP) != 0) {
                    if (rx.size() < fifoCapacity()) {
                        rx.add(v);
                        lsr |= LSR_DR;
                    } else {
                        lsr |= LSR_OE;
                    }
                } else {
                    backend.write(new byte[] {(byte) v}, 0, 1);
                }
                // sent at once: the holding register is empty again and says so
                lsr |= LSR_THRE | LSR_TEMT;
                thrIpending = true;
                updateIrq();
            }
            case IER -> {
                if ((lcr & LCR_DLAB) != 0) {
                    divider = (divider & 0x00ff) | v << 8;
                    return;
                }
                int old = ier;
                ier = v & 0x0f;
                // enabling THRI while the transmitter is empty raises it at once (16550 behaviour)
                if ((ier & IER_THRI) != 0 && (old & IER_THRI) == 0 && (lsr & LSR_THRE) != 0) {
                    thrIpending = true;
                }
                updateIrq();
            }
            case FCR -> {
                fcr = v & 0xc9;
                if ((v & FCR_CLEAR_RX) != 0) {
                    rx.clear();
                    lsr &= ~LSR_DR;
                    notifyAll();
                }
                updateIrq();
            }
            case LCR -> lcr = v;
            case MCR -> {
                mcr = v & 0x1f;
                notifyAll();
            }
            case LSR, MSR -> {
                // read-only status registers
            }
            case SCR -> scr = v;
            default -> {
            }
        }
    }

    private void updateIrq() {
        int id;
        if ((ier & IER_RLSI) != 0 && (lsr & LSR_OE) != 0) {
            id = IIR_RLSI;
        } else if ((ier & IER_RDI) != 0 && (lsr & LSR_DR) != 0) {
            id = IIR_RDI;
        } else if ((ier & IER_THRI) != 0 && thrIpending) {
            id = IIR_THRI;
        } else if ((ier & IER_MSI) != 0 && (msr & 0x0f) != 0) {
            id = IIR_MSI;
        } else {
            id = IIR_NO_INT;
        }
        iir = id | ((fcr & FCR_FIFO_ENABLE) != 0 ? IIR_FIFO_ENABLED : 0);
        boolean level = id != IIR_NO_INT;
        if (level != irqLevel) {
            irqLevel = level;
            irq.setLevel(level);
        }
    }

    public synchronized boolean interruptPending() {
        return irqLevel;
    }

    /** State as QEMU's "serial" vmstate carries it, with the receive FIFO's bytes. */
    @Override
    public VmStateDescription vmstate() {
        return new VmStateDescription("serial", 1, 1,
                out -> {
                    synchronized (this) {
                        out.u16("divider", divider);
                        out.u8("ier", ier);
                        out.u8("lcr", lcr);
                        out.u8("mcr", mcr);
                        out.u8("lsr", lsr);
                        out.u8("msr", msr);
                        out.u8("scr", scr);
                        out.u8("fcr", fcr);
                        out.bool("thr_ipending", thrIpending);
                        byte[] fifo = new byte[rx.size()];
                        int i = 0;
                        for (int b : rx) {
                            fifo[i++] = (byte) b;
                        }
                        out.bytes("rx_fifo", fifo);
                    }
                },
                (in, version) -> {
                    int d = in.u16("divider");
                    int e = in.u8("ier");
                    int l = in.u8("lcr");
                    int m = in.u8("mcr");
                    int s = in.u8("lsr");
                    int ms = in.u8("msr");
                    int sc = in.u8("scr");
                    int f = in.u8("fcr");
                    boolean t = in.bool("thr_ipending");
                    byte[] fifo = in.bytes("rx_fifo", FIFO_SIZE);
                    synchronized (this) {
                        divider = d;
                        ier = e & 0x0f;
                        lcr = l;
                        mcr = m & 0x1f;
                        lsr = s;
                        msr = ms;
                        scr = sc;
                        fcr = f & 0xc9;
                        thrIpending = t;
                        rx.clear();
                        for (byte b : fifo) {
                            rx.add(b & 0xff);
                        }
                        lsr = rx.isEmpty() ? lsr & ~LSR_DR : lsr | LSR_DR;
                        notifyAll();
                        updateIrq();
                    }
                });
    }

    public void close() {
        backend.close();
    }
}
