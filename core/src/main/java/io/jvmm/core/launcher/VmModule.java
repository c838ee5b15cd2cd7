package io.jvmm.core.launcher;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.jvmm.core.config.VmPlan;
import io.jvmm.core.event.EventBus;
import io.jvmm.core.plugin.PluginHost;
import io.jvmm.core.plugin.Registries;
import io.jvmm.core.qmp.QmpCommandRegistry;
import io.jvmm.core.qmp.QmpDispatcher;
import io.jvmm.core.vm.MigratableVm;
import io.jvmm.core.vm.Vm;
import io.jvmm.core.vm.VmAssembler;
import io.jvmm.spi.lifecycle.VmEvents;
import io.jvmm.spi.qmp.QmpCommand;
import java.util.Set;

/** Binds one VM and what serves it: the plan, plugins' registries, events, the QMP registry. */
final class VmModule extends AbstractModule {
    private final VmPlan plan;
    private final PluginHost plugins;
    private final EventBus events;

    VmModule(VmPlan plan, PluginHost plugins, EventBus events) {
        this.plan = plan;
        this.plugins = plugins;
        this.events = events;
    }

    @Override
    protected void configure() {
        bind(VmPlan.class).toInstance(plan);
        bind(PluginHost.class).toInstance(plugins);
        bind(Registries.class).toInstance(plugins.registries());
        bind(EventBus.class).toInstance(events);
        bind(VmEvents.class).toInstance(events);
        bind(MigratableVm.class).to(Vm.class);
    }

    @Provides
    @Singleton
    Vm vm() {
        return VmAssembler.assemble(plan, events);
    }

    @Provides
    @Singleton
    QmpCommandRegistry qmpCommands(Set<QmpCommand> coreCommands) {
        return new QmpCommandRegistry(coreCommands, plugins.registries().qmpCommands());
    }

    @Provides
    @Singleton
    QmpDispatcher dispatcher(QmpCommandRegistry registry) {
        return new QmpDispatcher(registry);
    }
}
