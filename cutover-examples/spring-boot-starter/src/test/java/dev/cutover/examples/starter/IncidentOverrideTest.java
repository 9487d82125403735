package dev.cutover.examples.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.CutoverTestDatabaseInitializer;
import dev.cutover.testkit.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * After the cutover, a deployment that brings a migration dropping the NOT NULL is refused; the
 * same deployment with {@code CUTOVER_INCIDENT_ID} and {@code CUTOVER_INCIDENT_REASON} in its
 * environment starts, and the override is recorded in {@code cutover_audit}.
 */
@CutoverTest
@ExtendWith(OutputCaptureExtension.class)
class IncidentOverrideTest {

    @Test
    void aMigrationDroppingTheNotNullNeedsTheIncidentFromTheEnvironment(TestDatabase db, CapturedOutput output) {
        start(db, Map.of()).close();
        assertThat(db.queryForString("select is_nullable from information_schema.columns"
                + " where table_name = 'user' and column_name = 'organization_id'")).isEqualTo("NO");

        assertThatThrownBy(() -> start(db, Map.of(), "--spring.flyway.locations=classpath:db/migration,classpath:db/incident").close())
                .hasStackTraceContaining("Migration 18 refused before it ran: its script V18__drop_user_org_not_null.sql would take "
                        + "the validated NOT NULL away from public.\"user\".organization_id");
        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("Action:\n\nRemove or change migration 18 so that the NOT NULL stays")
                .contains("CUTOVER_INCIDENT_ID=INC-1234");
        assertThat(db.queryForLong("select count(*) from flyway_schema_history where version = '18'")).isZero();

        Map<String, Object> environment = Map.of("CUTOVER_INCIDENT_ID", "INC-2211",
                "CUTOVER_INCIDENT_REASON", "signup outage: organizations service down",
                "CUTOVER_INCIDENT_ACTOR", "deploy-bot");
        start(db, environment, "--spring.flyway.locations=classpath:db/migration,classpath:db/incident").close();

        assertThat(db.queryForString("select success::text from flyway_schema_history where version = '18'")).isEqualTo("true");
        assertThat(db.queryForString("select incident || ' | ' || reason || ' | ' || actor || ' | ' || migration || ' | ' || subject"
                + " from cutover_audit"))
                .isEqualTo("INC-2211 | signup outage: organizations service down | deploy-bot | 18 | public.\"user\".organization_id");
        assertThat(db.queryForLong("select count(*) from cutover_audit")).isEqualTo(1);
    }

    /** Starts the application with these variables as its operating-system environment. */
    private static ConfigurableApplicationContext start(TestDatabase db, Map<String, Object> environment, String... args) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
        return new SpringApplicationBuilder(SignupApplication.class)
                .environment(env)
                .web(WebApplicationType.NONE)
                .properties(CutoverTestDatabaseInitializer.properties(db))
                .properties("spring.datasource.hikari.maximum-pool-size=2")
                .run(args);
    }
}
