package dev.cutover.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.verify.VerificationReport;
import dev.cutover.flyway.CutoverCallback;
import dev.cutover.flyway.CutoverMigrationException;
import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The same gate configured in {@code cutover.properties} instead of code: the callback bean is
 * {@code new CutoverCallback()}, which reads the file from the class path. (Spring Boot has no
 * {@code spring.flyway.callbacks} property: {@code FlywayProperties} of 3.5 and 4.0 only know
 * {@code callback-locations} for SQL callbacks, so an unknown {@code spring.flyway.callbacks} is
 * ignored and V17 runs unguarded; see {@link #springBootHasNoFlywayCallbacksProperty}.)
 */
@CutoverTest
class PropertiesConfiguredCallbackTest {

    /** Spring Boot's auto-configuration and the callback from {@code cutover.properties}; no component scan. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class PropertiesConfiguredApplication {

        @Bean
        Callback cutoverCallback() {
            return new CutoverCallback().portable();
        }
    }

    /** Spring Boot's auto-configuration only: no callback bean. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class NoCallbackBeanApplication {
    }

    @Test
    void refusesToStartWhileNullsRemainAndStartsAfterRemediation(TestDatabase db) {
        Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").target("16").load().migrate();
        db.execute("""
                insert into "user" (email, created_at) values
                    ('ann@example.com', timestamptz '2024-01-01 10:00+00'),
                    ('bob@example.com', timestamptz '2024-01-02 10:00+00')""");

        assertThatThrownBy(() -> start(db).close())
                .satisfies(failure -> assertThat(SignupApplicationTest.causeOfType(failure, CutoverMigrationException.class).getMessage())
                        .isEqualTo("Migration 17 blocked: 2 rows in public.\"user\" have organization_id IS NULL (baseline 0)."
                                + " Sample keys: id=2, id=1."
                                + " Remediate (see the runbook's remediation loop), then re-run; do not force-forward."));

        db.execute("""
                insert into organizations (name) values ('Example');
                update "user" set organization_id = (select id from organizations where name = 'Example')
                    where organization_id is null""");

        try (ConfigurableApplicationContext context = start(db)) {
            VerificationReport report = CutoverDatabase.of(context.getBean(DataSource.class))
                    .verify(new CutoverConfiguration().userOrganizationCutover());
            assertThat(report.passed()).as(report.render()).isTrue();
        }
    }

    @Test
    void springBootHasNoFlywayCallbacksProperty(TestDatabase db) {
        db.execute("create schema unguarded");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(NoCallbackBeanApplication.class)
                .web(WebApplicationType.NONE)
                .run("--spring.datasource.url=" + db.jdbcUrl(),
                        "--spring.datasource.username=" + db.user(),
                        "--spring.flyway.schemas=unguarded",
                        "--spring.flyway.target=16",
                        "--spring.flyway.callbacks=dev.cutover.flyway.CutoverCallback")) {
            Flyway flyway = context.getBean(Flyway.class);
            assertThat(flyway.getConfiguration().getCallbacks()).isEmpty();
        }
    }

    private static ConfigurableApplicationContext start(TestDatabase db) {
        return new SpringApplicationBuilder(PropertiesConfiguredApplication.class)
                .web(WebApplicationType.NONE)
                .run("--spring.datasource.url=" + db.jdbcUrl(),
                        "--spring.datasource.username=" + db.user());
    }
}
