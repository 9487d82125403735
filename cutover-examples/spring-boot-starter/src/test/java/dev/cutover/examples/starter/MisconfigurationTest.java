package dev.cutover.examples.starter;

import static dev.cutover.examples.starter.StartupRefusedTest.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A {@code cutover.*} value that cannot be used fails start-up before any migration runs, with
 * Spring Boot's report naming the property.
 */
@CutoverTest
@ExtendWith(OutputCaptureExtension.class)
class MisconfigurationTest {

    @Test
    void aMissingPropertyFailsStartUpNamingIt(TestDatabase db, CapturedOutput output) {
        assertThatThrownBy(() -> start(db, "--spring.config.location=classpath:/misconfigured/application.properties").close())
                .hasStackTraceContaining("cutover.cutovers[0].table");
        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("for configuration property 'cutover.cutovers[0].table'")
                .contains("it must be set: the table whose column becomes NOT NULL, e.g. user");
        assertThat(db.queryForLong("select count(*) from pg_tables where tablename = 'flyway_schema_history'")).isZero();
    }

    @Test
    void aBadValueFailsStartUpNamingTheProperty(TestDatabase db, CapturedOutput output) {
        assertThatThrownBy(() -> start(db, "--cutover.cutovers[0].table=user", "--cutover.cutovers[0].column=organization_id",
                "--cutover.cutovers[0].migration=17", "--cutover.cutovers[0].on-delete=sometimes").close())
                .hasStackTraceContaining("cutover.cutovers[0].on-delete");
        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("Invalid value 'sometimes' for configuration property 'cutover.cutovers[0].on-delete'")
                .contains("the ON DELETE action must be one of RESTRICT, NO_ACTION, CASCADE, SET_NULL, SET_DEFAULT");
        assertThat(db.queryForLong("select count(*) from pg_tables where tablename = 'flyway_schema_history'")).isZero();
    }

    @Test
    void aBadMigrationVersionFailsStartUpNamingTheProperty(TestDatabase db, CapturedOutput output) {
        assertThatThrownBy(() -> start(db, "--cutover.cutovers[0].table=user", "--cutover.cutovers[0].column=organization_id",
                "--cutover.cutovers[0].migration=seventeen").close())
                .hasStackTraceContaining("cutover.cutovers[0].migration");
        assertThat(output.getOut() + output.getErr())
                .contains("Invalid value 'seventeen' for configuration property 'cutover.cutovers[0].migration'")
                .contains("migration version must look like 17 or 2.1");
    }
}
