package io.jvmm.core.launcher;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.jvmm.core.config.ConfigResolver;
import io.jvmm.core.config.QemuCommandLine;
import io.jvmm.core.config.VmConfig;
import io.jvmm.core.config.VmPlan;
import io.jvmm.core.config.YamlConfigLoader;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.plugin.GuiceExtensionFactory;
import io.jvmm.core.plugin.JvmmVersion;
import io.jvmm.core.plugin.PluginHost;
import io.jvmm.core.plugin.PluginLoadException;
import io.jvmm.core.qmp.QmpDispatcher;
import io.jvmm.core.qmp.QmpServer;
import io.jvmm.core.schema.JsonSchemaGenerator;
import io.jvmm.core.schema.QmpReference;
import io.jvmm.core.vm.Vm;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.lifecycle.VmEvents;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import io.jvmm.core.os.CompilerThreads;
import java.util.List;
import java.util.Optional;

/**
 * Parses the command line and runs one subcommand: {@code run FILE.yaml}, {@code validate
 * FILE.yaml}, {@code plugins}, {@code schema}, {@code qmp-reference}, {@code demo}, or QEMU-style
 * options that start a VM directly. Returns the exit status instead of exiting, for tests.
 */
public final class Launcher {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;
    private final Optional<Path> pluginsDir;

    public Launcher(PrintStream out, PrintStream err) {
        this(out, err, defaultPluginsDir());
    }

    /** @param pluginsDir where plugins are; empty: built-in parts only */
    public Launcher(PrintStream out, PrintStream err, Optional<Path> pluginsDir) {
        this.out = out;
        this.err = err;
        this.pluginsDir = pluginsDir;
    }

    /** {@code -Djvmm.plugins}, else {@code $JVMM_PLUGINS}, else {@code ${jvmm.home}/plugins}. */
    static Optional<Path> defaultPluginsDir() {
        String p = System.getProperty("jvmm.plugins", System.getenv("JVMM_PLUGINS"));
        if (p != null && !p.isBlank()) {
            return Optional.of(Path.of(p));
        }
        String home = System.getProperty("jvmm.home");
        return home == null ? Optional.empty() : Optional.of(Path.of(home, "plugins"));
    }

    public int run(String[] argv) {
        List<String> args = Arrays.asList(argv);
        try {
            if (args.isEmpty()) {
                err.println(Usage.TEXT);
                return USAGE;
            }
            String first = args.getFirst();
            List<String> rest = args.subList(1, args.size());
            return switch (first) {
                case "-h", "-help", "--help", "help" -> {
                    out.println(Usage.TEXT);
                    yield OK;
                }
                case "--version", "-version", "version" -> {
                    out.println("jvmm " + JvmmVersion.VERSION + " (QMP compatible with QEMU 7.2)");
                    yield OK;
                }
                case "run" -> runVm(YamlConfigLoader.load(Path.of(single(rest, "run FILE.yaml"))));
                case "validate" -> validate(Path.of(single(rest, "validate FILE.yaml")));
                case "plugins" -> listPlugins(rest);
                case "schema" -> schema(rest);
                case "qmp-reference" -> qmpReference(rest);
                case "aot-training" -> aotTraining();
                case "demo" -> {
                    // bin/jvmm runs the demo's own main class; this class only sees "demo" when started
                    // some other way
                    err.println("jvmm: the demo runs through bin/jvmm (./jvmm demo), not this entry point");
                    yield ERROR;
                }
                default -> {
                    if (first.startsWith("-")) {
                        yield runVm(QemuCommandLine.parse(args));
                    }
                    err.println("jvmm: unknown command '" + first + "'; see ./jvmm --help");
                    yield USAGE;
                }
            };
        } catch (IOException e) {
            err.println("jvmm: " + e.getMessage());
            return ERROR;
        } catch (UsageException e) {
            err.println("jvmm: " + e.getMessage());
            return USAGE;
        } catch (ConfigException | PluginLoadException e) {
            err.println("jvmm: " + e.getMessage());
            return ERROR;
        }
    }

    private static String single(List<String> rest, String usage) {
        if (rest.size() != 1) {
            throw new UsageException("usage: jvmm " + usage);
        }
        return rest.getFirst();
    }

    private PluginHost loadPlugins(EventBus events) {
        if (pluginsDir.isEmpty()) {
            return PluginHost.builtinOnly(CoreParts.all());
        }
        return PluginHost.load(pluginsDir.get(), new GuiceExtensionFactory(
                () -> Guice.createInjector(binder -> binder.bind(VmEvents.class).toInstance(events))), CoreParts.all());
    }

    private String pluginsHint() {
        return pluginsDir.map(p -> "plugins folder " + p).orElse("no plugins folder configured");
    }

    VmPlan plan(VmConfig config, PluginHost plugins) {
        return new ConfigResolver(plugins.registries(), pluginsHint()).resolve(config);
    }

    private int validate(Path file) {
        VmConfig config = YamlConfigLoader.load(file);
        try (PluginHost plugins = loadPlugins(new EventBus())) {
            VmPlan plan = plan(config, plugins);
            out.println(file + ": ok (machine " + config.machine().type() + ", " + plan.netdevs().size()
                    + " netdevs, " + plan.devices().size() + " devices)");
            return OK;
        } catch (ConfigException e) {
            err.println(file + ": " + e.getMessage().replace("\n", "\n" + file + ": "));
            return ERROR;
        }
    }

    private int listPlugins(List<String> rest) {
        if (!rest.isEmpty()) {
            throw new UsageException("usage: jvmm plugins");
        }
        EventBus events = new EventBus();
        try (PluginHost plugins = loadPlugins(events)) {
            out.print(PluginListing.render(plugins, withThrowawayVm(plugins, events, QmpDispatcher::registry)));
            return OK;
        }
    }

    private int schema(List<String> rest) {
        if (!rest.isEmpty()) {
            throw new UsageException("usage: jvmm schema");
        }
        try (PluginHost plugins = loadPlugins(new EventBus())) {
            out.println(JsonSchemaGenerator.generate(plugins.registries()));
            return OK;
        }
    }

    /** Renders docs/qmp-reference.md from a throwaway VM's command registry (the registry is per VM). */
    private int qmpReference(List<String> rest) {
        if (!rest.isEmpty()) {
            throw new UsageException("usage: jvmm qmp-reference");
        }
        EventBus events = new EventBus();
        try (PluginHost plugins = loadPlugins(events)) {
            out.print(QmpReference.render(withThrowawayVm(plugins, events, QmpDispatcher::registry)));
            return OK;
        }
    }

    /**
     * The QMP command registry belongs to a VM (core commands act on it); listing it means building
     * an empty {@code none} VM with 4 MiB of untouched RAM and closing it again.
     */
    private static <T> T withThrowawayVm(PluginHost plugins, EventBus events, java.util.function.Function<QmpDispatcher, T> f) {
        VmPlan plan = new ConfigResolver(plugins.registries(), "")
                .resolve(QemuCommandLine.parse(List.of("-machine", "none", "-m", "4M")));
        Injector injector = Guice.createInjector(CoreModules.all(plan, plugins, events));
        try (Vm vm = injector.getInstance(Vm.class)) {
            return f.apply(injector.getInstance(QmpDispatcher.class));
        }
    }

    /**
     * Hidden: the build's AOT training run (see bin/jvmm). Starts a VM from YAML, a migration target
     * like the seed's when the q35, tap and virtio-net plugins are there, and drives it over QMP.
     */
    private int aotTraining() throws IOException {
        Path dir = java.nio.file.Files.createTempDirectory("jvmm-aot-");
        Path sock = dir.resolve("qmp.sock");
        Path migration = dir.resolve("migration.sock");
        try {
            QemuCommandLine.parse(List.of("-machine", "none", "-m", "4M", "-nodefaults", "-display", "none"));
            VmConfig target = YamlConfigLoader.parse(AotTraining.TARGET_YAML.formatted(sock));
            boolean full;
            try (PluginHost plugins = loadPlugins(new EventBus())) {
                plan(target, plugins);
                full = true;
            } catch (ConfigException e) {
                err.println("jvmm: AOT training without a migration target (" + e.getMessage() + ")");
                full = false;
            }
            AotTraining.client(sock, full ? "unix:" + migration : null);
            return runVm(full ? target : YamlConfigLoader.parse(AotTraining.NONE_YAML.formatted(sock)));
        } finally {
            java.nio.file.Files.deleteIfExists(sock);
            java.nio.file.Files.deleteIfExists(migration);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    private int runVm(VmConfig config) {
        StartupTimeline timeline = new StartupTimeline();
        int jitNice = niceSetting("JVMM_JIT_NICE", 19);
        boolean incoming = config.incoming().isPresent();
        GentleStart gentle = GentleStart.begin(incoming ? niceSetting("JVMM_INCOMING_NICE", 10) : 0);
        if (incoming) {
            // compiles of the target's start-up code must not compete with the source either
            lowerCompilerPriority(jitNice);
        }
        EventBus events = new EventBus();
        timeline.mark("configuration");
        try (PluginHost plugins = loadPlugins(events)) {
            timeline.mark("plugins");
            VmPlan plan = plan(config, plugins);
            Injector injector = Guice.createInjector(CoreModules.all(plan, plugins, events));
            Vm vm = injector.getInstance(Vm.class);
            timeline.mark("VM assembly");
            List<QmpServer> servers = new ArrayList<>();
            try {
                QmpDispatcher dispatcher = injector.getInstance(QmpDispatcher.class);
                for (String q : config.qmp()) {
                    servers.add(QmpServer.start(Path.of(q.substring("unix:".length())), dispatcher, events));
                }
                timeline.mark("QMP");
                timeline.log();
                Signals.onTermination(() -> vm.requestShutdown("host-signal"));
                // Started on its own thread: an accelerator may block while starting (waiting for its
                // qtest driver), and SIGTERM must still end jvmm then; closing the VM unblocks it.
                java.util.concurrent.atomic.AtomicReference<Exception> startFailure = new java.util.concurrent.atomic.AtomicReference<>();
                Thread.ofPlatform().daemon().name("vm-start").start(() -> {
                    try {
                        vm.start();
                        gentle.done();
                        if (!incoming) {
                            lowerCompilerPriority(jitNice);
                        }
                    } catch (Exception | Error e) {
                        startFailure.set(e instanceof Exception ex ? ex : new IllegalStateException(e));
                        vm.requestShutdown("start-failed");
                    }
                });
                String reason = vm.shutdownRequested().join();
                if (startFailure.get() != null) {
                    throw startFailure.get();
                }
                vm.shutdown(reason, false);
                return OK;
            } catch (IOException e) {
                err.println("jvmm: " + e.getMessage());
                return ERROR;
            } catch (ConfigException e) {
                throw e;
            } catch (Exception e) {
                err.println("jvmm: the VM failed to start: " + e);
                return ERROR;
            } finally {
                for (QmpServer s : servers) {
                    s.close();
                }
                vm.close();
            }
        }
    }

    /**
     * Device threads before background compiles (see {@link CompilerThreads}); {@code nice} 0 leaves
     * the compiler threads alone. A VMM that is not waiting for a migration does this once its VM has
     * started, off the way to the QMP greeting: binding the first native call costs 40-100 ms.
     */
    private static void lowerCompilerPriority(int nice) {
        if (nice > 0) {
            CompilerThreads.lowerOptimizingCompilers(nice);
        }
    }

    /** A nice value from the environment (0..19), or the default. */
    private static int niceSetting(String name, int dflt) {
        String v = System.getenv().getOrDefault(name, Integer.toString(dflt));
        int nice;
        try {
            nice = Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number from 0 to 19, not '" + v + "'");
        }
        if (nice < 0 || nice > 19) {
            throw new UsageException(name + " must be a number from 0 to 19, not " + nice);
        }
        return nice;
    }

    /** A malformed jvmm command line (as opposed to a bad VM config). */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
