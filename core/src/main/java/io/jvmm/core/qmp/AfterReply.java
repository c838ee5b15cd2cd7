package io.jvmm.core.qmp;

/**
 * A core command's result with something to do once the reply is on its way ({@code quit}: the
 * client gets its {@code return} before the SHUTDOWN event, as with QEMU).
 */
public record AfterReply(Object result, Runnable action) {
}
