package io.jvmm.core.vm;

import io.jvmm.spi.lifecycle.RunState;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The allowed run-state transitions, a subset of QEMU's runstate_transitions_def covering the states
 * jvmm has. A transition not listed is a bug in the caller and fails loudly.
 */
public final class RunStateMachine {
    private static final Map<RunState, Set<RunState>> ALLOWED = new EnumMap<>(RunState.class);

    static {
        allow(RunState.PRELAUNCH, RunState.RUNNING, RunState.PAUSED, RunState.INMIGRATE, RunState.FINISH_MIGRATE,
                RunState.POSTMIGRATE, RunState.SHUTDOWN, RunState.INTERNAL_ERROR);
        allow(RunState.INMIGRATE, RunState.RUNNING, RunState.PAUSED, RunState.PRELAUNCH, RunState.POSTMIGRATE,
                RunState.FINISH_MIGRATE, RunState.SHUTDOWN, RunState.INTERNAL_ERROR);
        allow(RunState.RUNNING, RunState.PAUSED, RunState.FINISH_MIGRATE, RunState.POSTMIGRATE, RunState.SHUTDOWN,
                RunState.INTERNAL_ERROR, RunState.PRELAUNCH);
        allow(RunState.PAUSED, RunState.RUNNING, RunState.FINISH_MIGRATE, RunState.POSTMIGRATE, RunState.PRELAUNCH,
                RunState.SHUTDOWN, RunState.INTERNAL_ERROR);
        allow(RunState.FINISH_MIGRATE, RunState.POSTMIGRATE, RunState.PAUSED, RunState.RUNNING, RunState.PRELAUNCH,
                RunState.SHUTDOWN, RunState.INTERNAL_ERROR);
        allow(RunState.POSTMIGRATE, RunState.RUNNING, RunState.PAUSED, RunState.FINISH_MIGRATE, RunState.PRELAUNCH,
                RunState.SHUTDOWN);
        allow(RunState.INTERNAL_ERROR, RunState.PAUSED, RunState.RUNNING, RunState.FINISH_MIGRATE, RunState.PRELAUNCH,
                RunState.SHUTDOWN);
        allow(RunState.SHUTDOWN);
    }

    private static void allow(RunState from, RunState... to) {
        Set<RunState> set = EnumSet.noneOf(RunState.class);
        set.addAll(java.util.List.of(to));
        ALLOWED.put(from, set);
    }

    private RunState state;

    public RunStateMachine(RunState initial) {
        this.state = initial;
    }

    public synchronized RunState state() {
        return state;
    }

    public static boolean allowed(RunState from, RunState to) {
        return from == to || ALLOWED.get(from).contains(to);
    }

    /** Moves to {@code to}; returns the previous state. */
    public synchronized RunState transition(RunState to) {
        if (!allowed(state, to)) {
            throw new IllegalStateException("invalid run state transition " + state.qmpName() + " -> " + to.qmpName());
        }
        RunState previous = state;
        state = to;
        return previous;
    }
}
