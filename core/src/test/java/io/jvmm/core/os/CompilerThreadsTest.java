package io.jvmm.core.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompilerThreadsTest {

    /** Field 19 of /proc/PID/task/TID/stat is the thread's nice value. */
    private static int nice(int tid) throws IOException {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[16]);
    }

    @Test
    void lowersEveryC2ThreadAndNothingElse() throws IOException {
        int self = Integer.parseInt(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
        int selfBefore = nice(self);
        // the test JVM runs with tiered compilation, so it has a C2 thread
        List<Integer> changed = CompilerThreads.lowerOptimizingCompilers(19);
        assertFalse(changed.isEmpty(), "no C2 compiler thread found in /proc/self/task");
        for (int tid : changed) {
            assertEquals(19, nice(tid), "thread " + tid);
            assertEquals("C2 CompilerThre", Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip()
                    .substring(0, 15));
        }
        assertEquals(selfBefore, nice(self), "the calling thread keeps its priority");
    }
}
