package io.jvmm.core.memory;

/** A piece of the RAM backing mapped at a guest-physical address. */
public record RamBlock(long guestAddress, long backingOffset, long length) {
    public RamBlock {
        if (guestAddress < 0 || backingOffset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad RAM block " + guestAddress + "+" + length);
        }
    }

    public long end() {
        return guestAddress + length;
    }
}
