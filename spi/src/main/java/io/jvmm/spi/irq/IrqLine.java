package io.jvmm.spi.irq;

/** A level-triggered interrupt line (INTx, GSI). */
public interface IrqLine {
    void setLevel(boolean high);

    default void raise() {
        setLevel(true);
    }

    default void lower() {
        setLevel(false);
    }
}
