package dev.cutover.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

/** The tests run against the Flyway asked for with -Dflyway.test.version, not whatever the compiler saw. */
class FlywayVersionTest {

    @Test
    void runsAgainstTheRequestedFlyway() {
        String requested = System.getProperty("cutover.test.flyway-version");
        String location = MigrationVersion.class.getProtectionDomain().getCodeSource().getLocation().toString();
        System.out.println("Flyway on the test class path: " + location);
        assertThat(requested).isNotBlank();
        assertThat(location).endsWith("/flyway-core-" + requested + ".jar");
    }
}
