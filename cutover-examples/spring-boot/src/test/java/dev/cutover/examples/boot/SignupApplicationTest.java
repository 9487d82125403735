package dev.cutover.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.verify.VerificationReport;
import dev.cutover.flyway.CutoverMigrationException;
import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application against a real PostgreSQL: the database is at V16 with users that have no
 * organization, as during the runbook's compatibility window. Spring Boot's Flyway then refuses
 * V17 at start-up, and the application starts once the users are remediated.
 */
@CutoverTest
class SignupApplicationTest {

    private static final String BLOCKED = "Migration 17 blocked: 3 rows in public.\"user\" have organization_id IS NULL (baseline 0)."
            + " Sample keys: id=3, id=2, id=1."
            + " Remediate (see the runbook's remediation loop), then re-run; do not force-forward.";

    @Test
    void refusesToStartWhileUsersWithoutOrganizationRemainAndStartsAfterRemediation(TestDatabase db) {
        Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").target("16").load().migrate();
        db.execute("""
                insert into "user" (email, created_at) values
                    ('ann@example.com', timestamptz '2024-01-01 10:00+00'),
                    ('bob@example.com', timestamptz '2024-01-02 10:00+00'),
                    ('cyd@example.com', timestamptz '2024-01-03 10:00+00')""");

        assertThatThrownBy(() -> start(db).close())
                .satisfies(failure -> {
                    CutoverMigrationException blocked = causeOfType(failure, CutoverMigrationException.class);
                    assertThat(blocked.getMessage()).isEqualTo(BLOCKED);
                    assertThat(blocked.reason()).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);
                    assertThat(blocked.migration()).isEqualTo("17");
                })
                .hasStackTraceContaining("Migration 17 blocked: 3 rows in public.\"user\" have organization_id IS NULL (baseline 0)")
                .hasStackTraceContaining("do not force-forward");
        assertThat(db.queryForString("select is_nullable from information_schema.columns"
                + " where table_name = 'user' and column_name = 'organization_id'")).isEqualTo("YES");
        assertThat(db.queryForLong("select count(*) from flyway_schema_history where version = '17'")).isZero();

        db.execute("""
                insert into organizations (name) values ('Example');
                update "user" set organization_id = (select id from organizations where name = 'Example')
                    where organization_id is null""");

        try (ConfigurableApplicationContext context = start(db)) {
            NotNullCutover cutover = context.getBean(NotNullCutover.class);
            VerificationReport report = CutoverDatabase.of(context.getBean(DataSource.class)).verify(cutover);
            assertThat(report.passed()).as(report.render()).isTrue();
            assertThat(db.queryForString("select is_nullable from information_schema.columns"
                    + " where table_name = 'user' and column_name = 'organization_id'")).isEqualTo("NO");
            assertThat(db.queryForString("select success::text from flyway_schema_history where version = '17'")).isEqualTo("true");

            long userId = context.getBean(SignupService.class).signUp("dee@example.com", "Dee's team");
            assertThat(db.queryForLong("select count(*) from \"user\" where id = " + userId + " and organization_id is not null"))
                    .isEqualTo(1);
        }
    }

    private static ConfigurableApplicationContext start(TestDatabase db) {
        return new SpringApplicationBuilder(SignupApplication.class)
                .web(WebApplicationType.NONE)
                .run("--spring.datasource.url=" + db.jdbcUrl(),
                        "--spring.datasource.username=" + db.user(),
                        "--spring.datasource.hikari.maximum-pool-size=2");
    }

    static <T extends Throwable> T causeOfType(Throwable failure, Class<T> type) {
        List<String> chain = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            chain.add(t.getClass().getName() + ": " + t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        throw new AssertionError("No " + type.getName() + " in the cause chain: " + String.join(" <- ", chain));
    }
}
