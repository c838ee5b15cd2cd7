package io.jvmm.core.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Nice values of this process's threads (Linux: setpriority(2) with thread ids from /proc/self/task). */
public final class ThreadNice {
    /** CAP_SYS_NICE: needed to lower a nice value again (raise the priority). */
    private static final int CAP_SYS_NICE = 23;

    private ThreadNice() {
    }

    /** The calling thread's kernel thread id. */
    public static int currentTid() throws IOException {
        return Integer.parseInt(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
    }

    /** The calling thread's nice value (from /proc/thread-self/stat). */
    public static int current() throws IOException {
        return niceOf(Files.readString(Path.of("/proc/thread-self/stat")));
    }

    /**
     * Sets the calling thread's nice value: on Linux {@code setpriority(PRIO_PROCESS, 0, n)} applies
     * to the caller only. False if the kernel refused (raising needs CAP_SYS_NICE).
     */
    public static boolean setCurrent(int nice) {
        return set(0, nice);
    }

    /** Field 19 of a /proc stat line (counted after the parenthesised command name, which may hold spaces). */
    private static int niceOf(String stat) {
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
    }

    /** This process's threads with their names and nice values. */
    public static List<Task> tasks() {
        List<Task> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) list::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    out.add(new Task(Integer.parseInt(task.getFileName().toString()),
                            stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')), niceOf(stat)));
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to report
        }
        return out;
    }

    /** Whether this process may raise priorities again (CAP_SYS_NICE in its effective set). */
    public static boolean canRaise() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    return (caps & (1L << CAP_SYS_NICE)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // cannot tell: assume not
        }
        return false;
    }

    /** Sets one thread's nice value (tid 0: the caller); false if the kernel refused or the thread is gone. */
    public static boolean set(int tid, int nice) {
        try {
            LibC.setpriority(LibC.PRIO_PROCESS, tid, nice);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A thread of this process. */
    public record Task(int tid, String name, int nice) {
    }
}
