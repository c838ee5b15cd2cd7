package io.jvmm.core.launcher;

/** The text of {@code ./jvmm --help}. */
final class Usage {
    private Usage() {
    }

    static final String TEXT = """
            usage: jvmm [-d] COMMAND | QEMU-STYLE OPTIONS

            Commands:
              run FILE.yaml        start the VM described in FILE.yaml
              validate FILE.yaml   check FILE.yaml against the loaded plugins, start nothing
              plugins              list plugins, their versions and what each contributes
              schema               print the JSON Schema of VM YAML files
              qmp-reference        print the QMP command reference (markdown)
              demo                 local migration of a TAP-backed NIC under traffic, end to end (needs root)
              --help, --version

            QEMU-style options (start a VM directly; anything else is an error):
              -name NAME           -machine TYPE[,memory-backend=ID][,PROP=VALUE...]
              -m SIZE              -object memory-backend-{ram,memfd,file},id=ID,size=SIZE[,mem-path=PATH][,share=on|off]
              -accel TYPE[,...]    -qtest unix:PATH     -qtest-log FILE|none
              -S                   -nodefaults          -display none        -nographic
              -serial stdio|null|file:PATH|unix:PATH
              -qmp unix:PATH,server=on,wait=off         -chardev socket,id=ID,path=PATH,server=on,wait=off -mon chardev=ID,mode=control
              -netdev TYPE,id=ID[,...]                  -device DRIVER[,id=ID][,...]
              -incoming defer|URI  -bios FILE

            -d as the first argument (or JVMM_LOG=debug) logs at debug level to stderr.
            Examples and the YAML reference: docs/yaml-reference.md, distribution/src/main/examples/.
            """;
}
