package io.jvmm.it.platform;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pf4j.ExtensionPoint;

/**
 * The architecture, enforced over the main classes of every module of the build (each module's
 * target/classes, so a plugin is checked even before the distribution ships it).
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importAll() throws IOException {
        Path repo = Path.of(System.getProperty("jvmm.repo", "..")).toAbsolutePath().normalize();
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(repo, 4)) {
            dirs = s.filter(p -> p.endsWith(Path.of("target", "classes")) && Files.isDirectory(p))
                    .filter(p -> !p.startsWith(repo.resolve("distribution")))
                    .toList();
        }
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPaths(dirs);
    }

    private static final DescribedPredicate<JavaClass> OTHER_JVMM_PARTS = new DescribedPredicate<>(
            "jvmm classes outside io.jvmm.spi and the plugin/machine packages") {
        @Override
        public boolean test(JavaClass c) {
            String p = c.getPackageName();
            return p.startsWith("io.jvmm.") && !p.startsWith("io.jvmm.spi") && !p.startsWith("io.jvmm.plugin.")
                    && !p.startsWith("io.jvmm.machine.");
        }
    };

    @Test
    void spiDependsOnlyOnTheJdkAndPf4jsMarker() {
        classes().that().resideInAPackage("io.jvmm.spi..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe("java.*, io.jvmm.spi or ExtensionPoint",
                        c -> c.getPackageName().startsWith("java.") || c.getPackageName().equals("java")
                                || c.getPackageName().startsWith("io.jvmm.spi")
                                || c.isEquivalentTo(ExtensionPoint.class)
                                || c.isPrimitive() || (c.isArray() && c.getBaseComponentType().isPrimitive())))
                .because("every dependency of the SPI becomes every plugin's dependency; plugin authors read the"
                        + " SPI and nothing more")
                .check(classes);
    }

    @Test
    void pluginsDependOnlyOnTheSpiAndTheirOwnLibraries() {
        noClasses().that().resideInAnyPackage("io.jvmm.plugin..", "io.jvmm.machine..")
                .should().dependOnClassesThat(OTHER_JVMM_PARTS)
                .because("a plugin sees the host only through io.jvmm.spi: the core can change without breaking"
                        + " plugins, and a plugin's class loader has nothing else of the host")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void pluginsDoNotDependOnEachOther() {
        slices().matching("io.jvmm.plugin.(*)..").should().notDependOnEachOther()
                .because("plugins meet through SPI types (a NIC sees a NetBackend, never a TAP class), so each"
                        + " can be installed, upgraded or left out alone")
                .allowEmptyShould(true)
                .check(classes);
        noClasses().that().resideInAPackage("io.jvmm.plugin..").should().dependOnClassesThat()
                .resideInAPackage("io.jvmm.machine..")
                .because("devices plug into buses through the SPI's PciBus, not into a machine's classes")
                .allowEmptyShould(true)
                .check(classes);
        noClasses().that().resideInAPackage("io.jvmm.machine..").should().dependOnClassesThat()
                .resideInAPackage("io.jvmm.plugin..")
                .because("a machine gets backends and devices through the SPI, not from other plugins")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void coreNeverDependsOnAPlugin() {
        noClasses().that().resideInAPackage("io.jvmm.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.jvmm.plugin..", "io.jvmm.machine..")
                .because("the core must run with any set of plugins, including none (machine type none)")
                .check(classes);
    }

    @Test
    void noPackageCyclesInTheVmm() {
        // Everything that ships in the distribution: the VMM's packages, the testkit, the demo and jvmmctl.
        slices().matching("io.jvmm.(**)").should().beFreeOfCycles()
                .because("a cycle makes two packages one: neither can be understood, tested or replaced alone")
                .check(classes.that(DescribedPredicate.describe("VMM classes", c -> {
                    String p = c.getPackageName();
                    return p.startsWith("io.jvmm.spi") || p.startsWith("io.jvmm.core") || p.startsWith("io.jvmm.plugin.")
                            || p.startsWith("io.jvmm.machine.") || p.startsWith("io.jvmm.testkit")
                            || p.startsWith("io.jvmm.demo") || p.startsWith("io.jvmm.ctl");
                })));
    }
}
