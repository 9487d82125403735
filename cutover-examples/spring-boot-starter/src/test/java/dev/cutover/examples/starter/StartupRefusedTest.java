package dev.cutover.examples.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.remediation.RemediationReport;
import dev.cutover.core.verify.VerificationReport;
import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers;
import dev.cutover.spring.boot.autoconfigure.CutoverEndpoint;
import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.CutoverTestDatabaseInitializer;
import dev.cutover.testkit.TestDatabase;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application against a database in the runbook's compatibility window: at V16, with users
 * that have no organization. Start-up is refused with Spring Boot's failure report, whose text is
 * cutover's; after remediation (cutover's remediation loop) the application starts, V17 is
 * verified, and the {@code cutover} endpoint shows the remediation run.
 */
@CutoverTest
@ExtendWith(OutputCaptureExtension.class)
class StartupRefusedTest {

    private static final String BLOCKED = "Migration 17 blocked: 3 rows in public.\"user\" have organization_id IS NULL (baseline 0)."
            + " Sample keys: id=3, id=2, id=1."
            + " Remediate (see the runbook's remediation loop), then re-run; do not force-forward.";

    @Test
    @SuppressWarnings("unchecked")
    void refusesToStartWhileNullsRemainAndStartsAfterRemediation(TestDatabase db, CapturedOutput output) {
        Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").target("16").load().migrate();
        db.execute("""
                insert into "user" (email, created_at) values
                    ('ann@example.com', timestamptz '2024-01-01 10:00+00'),
                    ('bob@example.com', timestamptz '2024-01-02 10:00+00'),
                    ('cyd@example.com', timestamptz '2024-01-03 10:00+00')""");

        assertThatThrownBy(() -> start(db).close()).hasStackTraceContaining(BLOCKED);
        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("Description:\n\n" + BLOCKED + "\n")
                .contains("Action:\n\nRemediate the NULL rows named above")
                .contains("then restart the application. Flyway recorded nothing for migration 17, so the restart applies it."
                        + " Do not force-forward")
                .doesNotContain("ann@example.com");
        assertThat(db.queryForString("select is_nullable from information_schema.columns"
                + " where table_name = 'user' and column_name = 'organization_id'")).isEqualTo("YES");
        assertThat(db.queryForLong("select count(*) from flyway_schema_history where version = '17'")).isZero();

        db.execute("insert into organizations (name) values ('Example')");
        long example = db.queryForLong("select id from organizations where name = 'Example'");
        RemediationReport remediation = Remediation.builder(CutoverDatabase.of(db.dataSource()),
                        NotNullCutover.builder("user", "organization_id").build())
                .policy(RemediationPolicies.named("default organization", RemediationPolicies.constant(example)))
                .build().run();
        assertThat(remediation.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);

        try (ConfigurableApplicationContext context = start(db)) {
            ConfiguredCutovers cutovers = context.getBean(ConfiguredCutovers.class);
            assertThat(cutovers.all()).singleElement()
                    .satisfies(c -> assertThat(c.cutover().subject()).isEqualTo("public.\"user\".organization_id"));
            VerificationReport report = CutoverDatabase.of(context.getBean(DataSource.class)).verify(cutovers.all().get(0).cutover());
            assertThat(report.passed()).as(report.render()).isTrue();
            Map<String, Object> view = (Map<String, Object>) ((Map<String, Object>) context.getBean(CutoverEndpoint.class)
                    .cutovers().get("cutovers")).get("public.\"user\".organization_id");
            assertThat(view).containsEntry("state", "VERIFIED").containsEntry("status", "UP").containsEntry("nullCount", 0L);
            assertThat((List<Map<String, Object>>) view.get("remediationRuns")).singleElement().satisfies(run -> assertThat(run)
                    .containsEntry("runId", remediation.runId().toString()).containsEntry("assigned", 3L)
                    .containsEntry("undone", false).containsEntry("policies", List.of("default organization")));
            assertThat(db.queryForString("select success::text from flyway_schema_history where version = '17'")).isEqualTo("true");
            long userId = context.getBean(SignupService.class).signUp("dee@example.com", "Dee's team");
            assertThat(db.queryForLong("select count(*) from \"user\" where id = " + userId + " and organization_id is not null"))
                    .isEqualTo(1);
        }
    }

    static ConfigurableApplicationContext start(TestDatabase db, String... args) {
        return new SpringApplicationBuilder(SignupApplication.class)
                .web(WebApplicationType.NONE)
                .properties(CutoverTestDatabaseInitializer.properties(db))
                .properties("spring.datasource.hikari.maximum-pool-size=2")
                .run(args);
    }
}
