package io.jvmm.core.plugin;

/** The jvmm version, from the core jar's manifest (Implementation-Version), "dev" when run from classes. */
public final class JvmmVersion {
    public static final String VERSION = readVersion();

    private JvmmVersion() {
    }

    private static String readVersion() {
        String v = JvmmVersion.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }
}
