package io.jvmm.ctl;

/** The --help text; docs/jvmmctl.md says the same at length. */
final class Usage {
    static final String TEXT = """
            Usage: jvmmctl -s SOCKET [--json] [--timeout SECONDS] [-v] COMMAND [ARGS]

            A QMP client for jvmm and QEMU. SOCKET is the path in the VMM's -qmp unix:PATH,server=on
            (default: $JVMM_QMP_SOCKET).

            Commands:
              status                     the VM's run state (running, paused, inmigrate, postmigrate, ...)
              stop | cont                pause or resume the VM, then show its run state
              quit                       end the VMM
              migrate [--local] [--ignore-shared|--no-ignore-shared] [--interval MS] URI
                                         migrate to URI (e.g. unix:/run/mig.sock) with live progress and a
                                         summary; --local hands TAP descriptors over and implies
                                         --ignore-shared; Ctrl-C cancels the migration
              migrate-incoming [--local] [--ignore-shared|--no-ignore-shared] URI
                                         make a target started with -incoming defer listen on URI
              events [--count N] [--until EVENT]
                                         print events as they come, until Ctrl-C (or N events, or EVENT)
              qmp '{"execute":...}'      send any QMP command; also: qmp COMMAND ['{ARGUMENTS}']

            Options:
              -s, --socket PATH          the QMP socket
              --json                     one JSON object per result on stdout (errors too: {"error":...})
              --timeout SECONDS          wait this long for the greeting and each answer (default 10)
              -v, --verbose              log every QMP message to stderr
              -h, --help                 this text

            Exit codes: 0 ok, 1 QMP error, 2 usage, 3 cannot connect, 4 not QMP / no answer / connection lost,
                        5 migration failed or cancelled, 130 interrupted.
            """;

    private Usage() {
    }
}
