package dev.cutover.examples.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.CutoverTestDatabaseInitializer;
import dev.cutover.testkit.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * After the cutover, a deployment that brings a migration dropping the NOT NULL is refused; the
 * same deployment with {@code CUTOVER_INCIDENT_ID} and {@code CUTOVER_INCIDENT_REASON} in its
 * environment starts, and the override is recorded in {@code cutover_audit}. Both deployments
 * are the application in a JVM of its own, started as a deployment starts it: the incident
 * variables are real operating-system environment variables of that process, read by Spring
 * Boot as it reads any environment variable.
 */
@CutoverTest
class IncidentOverrideTest {

    @TempDir
    Path logs;

    /** How a deployment of the application ended: its exit code and what it printed. */
    record Deployment(int exitCode, String output) {
    }

    @Test
    void aMigrationDroppingTheNotNullNeedsTheIncidentFromTheEnvironment(TestDatabase db) throws Exception {
        new SpringApplicationBuilder(SignupApplication.class).web(WebApplicationType.NONE)
                .properties(CutoverTestDatabaseInitializer.properties(db)).properties("spring.datasource.hikari.maximum-pool-size=2")
                .run().close();
        assertThat(db.queryForString("select is_nullable from information_schema.columns"
                + " where table_name = 'user' and column_name = 'organization_id'")).isEqualTo("NO");

        Deployment refused = deploy(db, Map.of(), "refused");
        assertThat(refused.exitCode()).as(refused.output()).isNotZero();
        assertThat(refused.output())
                .contains("APPLICATION FAILED TO START")
                .contains("Migration 18 refused before it ran: its script V18__drop_user_org_not_null.sql would take "
                        + "the validated NOT NULL away from public.\"user\".organization_id")
                .contains("Action:")
                .contains("Remove or change migration 18 so that the NOT NULL stays")
                .contains("CUTOVER_INCIDENT_ID=INC-1234");
        assertThat(db.queryForLong("select count(*) from flyway_schema_history where version = '18'")).isZero();

        Deployment overridden = deploy(db, Map.of("CUTOVER_INCIDENT_ID", "INC-2211",
                "CUTOVER_INCIDENT_REASON", "signup outage: organizations service down",
                "CUTOVER_INCIDENT_ACTOR", "deploy-bot"), "overridden");

        assertThat(overridden.exitCode()).as(overridden.output()).isZero();
        assertThat(overridden.output()).doesNotContain("APPLICATION FAILED TO START");
        assertThat(db.queryForString("select success::text from flyway_schema_history where version = '18'")).isEqualTo("true");
        assertThat(db.queryForString("select incident || ' | ' || reason || ' | ' || actor || ' | ' || migration || ' | ' || subject"
                + " from cutover_audit"))
                .isEqualTo("INC-2211 | signup outage: organizations service down | deploy-bot | 18 | public.\"user\".organization_id");
        assertThat(db.queryForLong("select count(*) from cutover_audit")).isEqualTo(1);
    }

    /**
     * Starts the application with the incident migration in a new JVM (this test's class path,
     * no web server), whose environment is this one's without any {@code CUTOVER_} variable, plus
     * {@code environment}; waits for it to start and exit (nothing keeps it running).
     */
    private Deployment deploy(TestDatabase db, Map<String, String> environment, String name)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // A short-lived JVM: the quick compiler only, as for any command-line tool.
                "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                SignupApplication.class.getName(),
                "--spring.main.web-application-type=none",
                "--spring.flyway.locations=classpath:db/migration,classpath:db/incident",
                "--spring.datasource.hikari.maximum-pool-size=2"));
        CutoverTestDatabaseInitializer.properties(db).forEach((key, value) -> command.add("--" + key + "=" + value));
        Path output = logs.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("CUTOVER_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the application did not exit within 3 minutes:\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Deployment(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
