package dev.cutover.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The testkit uses core's and cutover-flyway's public API only. */
class TestkitLayeringTest {

    private final JavaClasses testkit = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cutover.testkit");

    @Test
    void usesOnlyPublicApi() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.cutover.core.internal..", "dev.cutover.flyway.internal..")
                .check(testkit);
    }
}
