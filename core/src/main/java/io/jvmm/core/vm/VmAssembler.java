package io.jvmm.core.vm;

import io.jvmm.core.clock.VmClock;
import io.jvmm.core.config.ConfigError;
import io.jvmm.core.config.MemoryConfig;
import io.jvmm.core.config.SourceMap;
import io.jvmm.core.config.VmPlan;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.irq.InterruptRouter;
import io.jvmm.core.memory.FlatAddressSpace;
import io.jvmm.core.memory.GuestRam;
import io.jvmm.core.memory.MemoryBackends;
import io.jvmm.spi.accel.Accelerator;
import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.config.PropertySpec;
import io.jvmm.spi.device.Device;
import io.jvmm.spi.machine.Machine;
import io.jvmm.spi.net.NetBackend;
import io.jvmm.spi.net.NetBackendContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link Vm} from a {@link VmPlan}: guest RAM, address spaces, interrupts, clock, then the
 * machine, the netdevs, the devices in config order, and the accelerator. If any part fails, the
 * parts already built are closed and the error names the config node that caused it.
 */
public final class VmAssembler {
    private static final Logger LOG = LoggerFactory.getLogger(VmAssembler.class);
    /** The I/O port space is 64 KiB on x86. */
    private static final long IO_PORT_SPACE = 0x10000;
    /** 40 physical address bits (1 TiB), room for 64-bit BARs above RAM. */
    private static final long SYSTEM_MEMORY_SPACE = 1L << 40;

    private VmAssembler() {
    }

    public static Vm assemble(VmPlan plan, EventBus events) {
        SourceMap sources = plan.config().sources();
        MemoryConfig mem = plan.config().machine().memory();
        GuestRam ram;
        try {
            ram = MemoryBackends.create(mem.backend(), mem.size(), mem.path().map(Path::of), mem.share());
        } catch (RuntimeException e) {
            throw new ConfigError("machine.memory", "cannot create guest RAM: " + e.getMessage(), sources);
        }
        ReentrantLock deviceLock = new ReentrantLock();
        FlatAddressSpace systemMemory = new FlatAddressSpace("system", SYSTEM_MEMORY_SPACE, ram);
        FlatAddressSpace ioPorts = new FlatAddressSpace("io", IO_PORT_SPACE);
        InterruptRouter interrupts = new InterruptRouter(systemMemory);
        VmClock clock = new VmClock(deviceLock);
        VmRegistry registry = new VmRegistry();
        registry.registerPausable(clock);
        Vm vm = new Vm(plan, ram, systemMemory, ioPorts, interrupts, clock, deviceLock, events, registry);
        try {
            VmHostServices services = new VmHostServices(ram, systemMemory, ioPorts, interrupts, clock, events, registry,
                    plan.machineType().compatProperties(), plan.config().serial(), plan.config().bios());
            Machine machine = build("machine", sources,
                    () -> plan.machineType().create(services, plan.machineProperties()));
            vm.setMachine(machine);

            boolean incoming = plan.config().incoming().isPresent();
            NetBackendContext netContext = () -> incoming;
            Map<String, NetBackend> backends = new LinkedHashMap<>();
            for (VmPlan.NetdevPlan n : plan.netdevs()) {
                NetBackend backend = build(n.path(), sources, () -> n.factory().create(n.id(), n.properties(), netContext));
                vm.addNetBackend(backend);
                backends.put(n.id(), backend);
            }
            for (VmPlan.DevicePlan d : plan.devices()) {
                Properties props = withBus(d, machine, registry, sources);
                VmDeviceContext context = new VmDeviceContext(services, d.id(), backends, incoming);
                Device device = build(d.path(), sources, () -> d.factory().create(context, props));
                vm.addDevice(device);
            }
            build("machine", sources, () -> {
                machine.devicesCreated();
                return machine;
            });
            if (plan.accel().isPresent()) {
                VmPlan.AccelPlan a = plan.accel().get();
                VmAccelContext context = new VmAccelContext(services, deviceLock, vm::requestShutdown);
                Accelerator accel = build("accel", sources, () -> a.factory().create(context, a.properties()));
                vm.setAccelerator(accel);
            } else {
                LOG.debug("no accelerator: nothing executes the guest (use -accel qtest or -qtest unix:PATH)");
            }
            return vm;
        } catch (RuntimeException | Error e) {
            vm.close();
            throw e;
        }
    }

    /**
     * Fills in the machine's default bus for a device that plugs into one (declares {@code bus}) but
     * names none, and checks that a named bus exists by now.
     */
    private static Properties withBus(VmPlan.DevicePlan d, Machine machine, VmRegistry registry, SourceMap sources) {
        boolean takesBus = d.factory().properties().stream().map(PropertySpec::name).anyMatch("bus"::equals);
        if (!takesBus) {
            return d.properties();
        }
        Optional<String> bus = d.properties().optionalString("bus");
        if (bus.isEmpty()) {
            Optional<String> defaultBus = machine.defaultBus();
            if (defaultBus.isEmpty()) {
                throw new ConfigError(d.path(), "device type '" + d.type() + "' needs a bus and this machine has"
                        + " none" + known(registry), sources);
            }
            Map<String, Object> values = new LinkedHashMap<>(d.properties().values());
            values.put("bus", defaultBus.get());
            return Properties.of(values);
        }
        if (registry.pciBus(bus.get()).isEmpty()) {
            throw new ConfigError(d.path() + ".bus", "no bus '" + bus.get() + "'" + known(registry), sources);
        }
        return d.properties();
    }

    private static String known(VmRegistry registry) {
        return registry.busIds().isEmpty() ? "" : "; buses: " + String.join(", ", registry.busIds());
    }

    private interface Step<T> {
        T run();
    }

    /** Runs one build step; a failure becomes an error at {@code path}, keeping the cause. */
    private static <T> T build(String path, SourceMap sources, Step<T> step) {
        try {
            T t = step.run();
            if (t == null) {
                throw new ConfigError(path, "the plugin returned nothing (a bug in the plugin)", sources);
            }
            return t;
        } catch (ConfigError e) {
            throw e;
        } catch (ConfigException e) {
            ConfigError err = new ConfigError(path, e.getMessage(), sources);
            err.initCause(e);
            throw err;
        } catch (RuntimeException e) {
            ConfigError err = new ConfigError(path, "failed: " + e, sources);
            err.initCause(e);
            throw err;
        }
    }
}
