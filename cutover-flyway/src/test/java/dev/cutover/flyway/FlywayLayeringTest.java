package dev.cutover.flyway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** cutover-flyway uses core's public API only, and knows nothing of JUnit or the testkit. */
class FlywayLayeringTest {

    private final JavaClasses flyway = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cutover.flyway");

    @Test
    void usesOnlyCorePublicApi() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.cutover.core.internal..").check(flyway);
    }

    @Test
    void knowsNoTestFramework() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.junit..", "dev.cutover.testkit..").check(flyway);
    }
}
