package io.jvmm.core.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.config.ConfigResolver;
import io.jvmm.core.config.QemuCommandLine;
import io.jvmm.core.config.VmPlan;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.plugin.Registries;
import io.jvmm.spi.VmmPlugin;
import io.jvmm.spi.config.Properties;
import io.jvmm.spi.lifecycle.Pausable;
import io.jvmm.spi.lifecycle.RunState;
import io.jvmm.spi.machine.Machine;
import io.jvmm.spi.machine.MachineContext;
import io.jvmm.spi.machine.MachineType;
import io.jvmm.spi.vmstate.VmStateDescription;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Run states and pausing with QEMU's semantics, on a VM whose machine registers a pausable and state. */
class VmRunStateTest {
    final List<String> log = new ArrayList<>();
    final List<String> events = new ArrayList<>();

    /** A board that records pause/resume, registers state, and reads -serial/-bios from its context. */
    final class RecordingBoard implements MachineType {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Machine create(MachineContext context, Properties properties) {
            context.registerPausable(new Pausable() {
                @Override
                public void pause() {
                    log.add("pause");
                }

                @Override
                public void resume() {
                    log.add("resume");
                }
            });
            context.registerState("board", () -> new VmStateDescription("board", 1, 1, out -> { }, (in, v) -> { }));
            context.serial().ifPresent(s -> log.add("serial " + s));
            assertThrows(IllegalStateException.class, () -> context.registerState("board", null));
            return new Machine() {
                @Override
                public void close() {
                    log.add("machine closed");
                }
            };
        }
    }

    private Vm vm(String... args) {
        Registries r = new Registries();
        r.add("test", new VmmPlugin() {
            @Override
            public List<MachineType> machineTypes() {
                return List.of(new RecordingBoard());
            }
        });
        VmPlan plan = new ConfigResolver(r, "").resolve(QemuCommandLine.parse(List.of(args)));
        EventBus bus = new EventBus();
        bus.subscribe(e -> events.add(e.name()));
        return VmAssembler.assemble(plan, bus);
    }

    @Test
    void startsRunningAndStopContPauseEverything() throws Exception {
        try (Vm vm = vm("-machine", "recording", "-m", "4M", "-serial", "null")) {
            assertEquals(List.of("serial null"), log);
            vm.start();
            assertEquals(RunState.RUNNING, vm.runState());
            assertEquals(List.of("serial null", "pause", "resume"), log, "paused while built, resumed on start");
            assertTrue(vm.stopVm(RunState.PAUSED));
            assertEquals(RunState.PAUSED, vm.runState());
            assertEquals("pause", log.getLast());
            assertEquals(false, vm.stopVm(RunState.PAUSED), "stopping a stopped VM does nothing");
            vm.startVm();
            assertEquals("resume", log.getLast());
            assertEquals(List.of("RESUME", "STOP", "RESUME"), events);
            assertEquals(List.of("board"), vm.stateEntries().stream().map(StateEntry::instanceId).toList());
        }
    }

    @Test
    void closingTheVmClosesTheMachineOnce() throws Exception {
        Vm vm = vm("-machine", "recording", "-m", "4M");
        vm.start();
        vm.close();
        vm.close();
        assertEquals(1, log.stream().filter("machine closed"::equals).count(), "closed once: " + log);
    }

    @Test
    void startPausedStaysInPrelaunch() throws Exception {
        try (Vm vm = vm("-machine", "recording", "-m", "4M", "-S")) {
            vm.start();
            assertEquals(RunState.PRELAUNCH, vm.runState());
            assertEquals(List.of("pause"), log);
            assertEquals(false, vm.autostart());
        }
    }

    @Test
    void incomingEntersInmigrate() throws Exception {
        try (Vm vm = vm("-machine", "recording", "-m", "4M", "-incoming", "defer")) {
            vm.start();
            assertEquals(RunState.INMIGRATE, vm.runState());
            assertEquals(true, vm.autostart());
            vm.setRunState(RunState.FINISH_MIGRATE);
            vm.setRunState(RunState.POSTMIGRATE);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> vm.setRunState(RunState.INMIGRATE));
            assertEquals("invalid run state transition postmigrate -> inmigrate", e.getMessage());
        }
    }

    @Test
    void shutdownEmitsOnceAndIsFinal() throws Exception {
        try (Vm vm = vm("-machine", "recording", "-m", "4M")) {
            vm.start();
            vm.shutdown("host-qmp-quit", false);
            vm.shutdown("host-signal", false);
            assertEquals(RunState.SHUTDOWN, vm.runState());
            assertEquals(List.of("RESUME", "SHUTDOWN", "STOP"), events);
            assertThrows(IllegalStateException.class, vm::startVm);
        }
    }

    @Test
    void aDeviceThatNeedsABusOnAMachineWithoutOneFailsClearly() {
        Registries r = new Registries();
        io.jvmm.core.config.ConfigError e = assertThrows(io.jvmm.core.config.ConfigError.class, () -> {
            r.add("t", new VmmPlugin() {
                @Override
                public List<MachineType> machineTypes() {
                    return List.of(new RecordingBoard());
                }

                @Override
                public List<io.jvmm.spi.device.DeviceFactory> deviceFactories() {
                    return List.of(new io.jvmm.spi.device.DeviceFactory() {
                        @Override
                        public String name() {
                            return "card";
                        }

                        @Override
                        public List<io.jvmm.spi.config.PropertySpec> properties() {
                            return List.of(io.jvmm.spi.config.PropertySpec.string("bus", null, "bus"));
                        }

                        @Override
                        public io.jvmm.spi.device.Device create(io.jvmm.spi.device.DeviceContext c, Properties p) {
                            throw new AssertionError("not reached");
                        }
                    });
                }
            });
            VmPlan plan = new ConfigResolver(r, "").resolve(QemuCommandLine.parse(List.of("-machine", "recording",
                    "-m", "4M", "-device", "card,bus=pci.7")));
            VmAssembler.assemble(plan, new EventBus()).close();
        });
        assertEquals("devices[0].bus: no bus 'pci.7' (-device card,bus=pci.7)", e.getMessage());
    }
}
