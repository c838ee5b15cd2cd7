package io.jvmm.spi.lifecycle;

/** Run states with QEMU's names, as {@code query-status} reports them. */
public enum RunState {
    PRELAUNCH("prelaunch"),
    RUNNING("running"),
    PAUSED("paused"),
    INMIGRATE("inmigrate"),
    FINISH_MIGRATE("finish-migrate"),
    POSTMIGRATE("postmigrate"),
    SHUTDOWN("shutdown"),
    INTERNAL_ERROR("internal-error");

    private final String qmpName;

    RunState(String qmpName) {
        this.qmpName = qmpName;
    }

    public String qmpName() {
        return qmpName;
    }

    public boolean isRunning() {
        return this == RUNNING;
    }
}
