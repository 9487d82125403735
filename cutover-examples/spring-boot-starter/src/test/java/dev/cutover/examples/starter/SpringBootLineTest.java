package dev.cutover.examples.starter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.flywaydb.core.api.callback.Callback;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/** The tests run on the Spring Boot line the build asked for, with the Flyway that Boot manages. */
class SpringBootLineTest {

    /** Flyway as managed by each Spring Boot version this example is built with. */
    private static final Map<String, String> MANAGED_FLYWAY = Map.of("3.5.7", "11.7.2", "4.0.7", "11.14.1");

    @Test
    void runsOnTheRequestedSpringBootWithItsManagedFlyway() {
        String expected = System.getProperty("expected.spring-boot.version");
        assertThat(SpringBootVersion.getVersion()).isEqualTo(expected);
        if (MANAGED_FLYWAY.containsKey(expected)) {
            assertThat(Callback.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                    .endsWith("/flyway-core-" + MANAGED_FLYWAY.get(expected) + ".jar");
        }
    }
}
