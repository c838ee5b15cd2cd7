package io.jvmm.spi.net;

/** Offloads as TUNSETOFFLOAD knows them: what the guest can receive without checksum/segmentation. */
public record Offloads(boolean csum, boolean tso4, boolean tso6, boolean ecn, boolean ufo) {
    public static final Offloads NONE = new Offloads(false, false, false, false, false);
}
