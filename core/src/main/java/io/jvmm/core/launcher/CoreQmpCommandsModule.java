package io.jvmm.core.launcher;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.jvmm.core.qmp.commands.ContCommand;
import io.jvmm.core.qmp.commands.QmpCapabilitiesCommand;
import io.jvmm.core.qmp.commands.QueryCommandsCommand;
import io.jvmm.core.qmp.commands.QueryStatusCommand;
import io.jvmm.core.qmp.commands.QueryVersionCommand;
import io.jvmm.core.qmp.commands.QuitCommand;
import io.jvmm.core.qmp.commands.StopCommand;
import io.jvmm.spi.qmp.QmpCommand;

/**
 * The core's QMP commands. Adding one is one line here ({@code commands.addBinding().to(X.class)}),
 * or in another module listed in {@link CoreModules}; plugins add theirs through VmmPlugin.
 */
final class CoreQmpCommandsModule extends AbstractModule {
    @Override
    protected void configure() {
        Multibinder<QmpCommand> commands = Multibinder.newSetBinder(binder(), QmpCommand.class);
        commands.addBinding().to(QmpCapabilitiesCommand.class);
        commands.addBinding().to(QueryVersionCommand.class);
        commands.addBinding().to(QueryStatusCommand.class);
        commands.addBinding().to(QueryCommandsCommand.class);
        commands.addBinding().to(StopCommand.class);
        commands.addBinding().to(ContCommand.class);
        commands.addBinding().to(QuitCommand.class);
    }
}
