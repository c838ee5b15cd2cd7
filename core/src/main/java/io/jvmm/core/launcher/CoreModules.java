package io.jvmm.core.launcher;

import com.google.inject.Module;
import io.jvmm.core.config.VmPlan;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.plugin.PluginHost;
import java.util.List;

/**
 * Every Guice module of the core, in one list. A core feature with its own QMP commands (the
 * migration engine) adds its module here; inside it,
 * {@code Multibinder.newSetBinder(binder(), QmpCommand.class).addBinding().to(MyCommand.class)}
 * registers a command, which may inject {@code MigratableVm}, {@code Vm}, {@code Registries},
 * {@code EventBus} or {@code VmPlan}.
 */
public final class CoreModules {
    private CoreModules() {
    }

    public static List<Module> all(VmPlan plan, PluginHost plugins, EventBus events) {
        return List.of(
                new VmModule(plan, plugins, events),
                new CoreQmpCommandsModule(),
                new io.jvmm.core.migration.qmp.MigrationModule());
    }
}
