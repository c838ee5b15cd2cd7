package io.jvmm.spi.vmstate;

/** Something with state that migrates: describes it once, saved and loaded through the codec. */
public interface VmStateful {
    VmStateDescription vmstate();
}
