package io.jvmm.ctl;

/** A parsed command line: what to run and how. {@code command} is null when only help was asked for. */
public record Invocation(Options options, CtlCommand command, boolean help) {
}
