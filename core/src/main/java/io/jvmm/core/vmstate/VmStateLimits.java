package io.jvmm.core.vmstate;

/**
 * Upper bounds a loader enforces before it allocates or reads anything a length field announces.
 * Device state is small (kilobytes); these leave ample room and still keep a lying or corrupted
 * stream from making the target allocate without limit.
 */
public final class VmStateLimits {
    /** Longest field, section, subsection or instance name in bytes (a u8 length). */
    public static final int MAX_NAME = 255;
    /** Largest payload of one section including its subsections. */
    public static final int MAX_SECTION_PAYLOAD = 16 << 20;
    /** Most descriptors one section may carry (SCM_MAX_FD in Linux is 253 per message). */
    public static final int MAX_SECTION_DESCRIPTORS = 1024;

    private VmStateLimits() {
    }
}
