package io.jvmm.core.migration;

/** QEMU's MigrationStatus values, as query-migrate and the MIGRATION event report them. */
public enum MigrationStatus {
    NONE("none"),
    SETUP("setup"),
    CANCELLING("cancelling"),
    CANCELLED("cancelled"),
    ACTIVE("active"),
    DEVICE("device"),
    COMPLETED("completed"),
    FAILED("failed");

    private final String qmpName;

    MigrationStatus(String qmpName) {
        this.qmpName = qmpName;
    }

    public String qmpName() {
        return qmpName;
    }

    public boolean finished() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == NONE;
    }
}
