package dev.cutover.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of core (see the design's "Layering inside core"): each runbook stage owns its
 * engine; {@code internal} is a database toolkit below every stage; {@code catalog} holds values
 * only; no package cycle; nothing of Flyway, JUnit, Spring or the testkit.
 */
class LayeringTest {

    private static final String[] STAGES = {
        "dev.cutover.core.gate..", "dev.cutover.core.preflight..", "dev.cutover.core.remediation..",
        "dev.cutover.core.migrate..", "dev.cutover.core.verify.."
    };

    static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.cutover.core");
    }

    @Test
    void internalImportsNoStage() {
        noClasses().that().resideInAPackage("dev.cutover.core.internal..")
                .should().dependOnClassesThat().resideInAnyPackage(STAGES)
                .because("internal is the toolkit every stage uses; a stage's engine lives in its own package")
                .check(core);
    }

    @Test
    void catalogHoldsValuesOnly() {
        noClasses().that().resideInAPackage("dev.cutover.core.catalog..")
                .should().dependOnClassesThat().resideInAnyPackage(concat(STAGES, "dev.cutover.core.internal.."))
                .because("the catalog API is read by internal and by every stage")
                .check(core);
    }

    @Test
    void noCycleBetweenCorePackages() {
        slices().matching("dev.cutover.core.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void stagesDoNotReachIntoEachOthersEngines() {
        noClasses().that().resideInAnyPackage("dev.cutover.core.preflight..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.cutover.core.remediation..", "dev.cutover.core.migrate..")
                .check(core);
    }

    @Test
    void coreKnowsNoFrameworkAndNoDriver() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.flywaydb..", "org.junit..", "org.springframework..",
                        "dev.cutover.testkit..", "dev.cutover.flyway..", "org.postgresql..")
                .because("core is the runbook as a model; the application brings its driver and frameworks")
                .check(core);
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
