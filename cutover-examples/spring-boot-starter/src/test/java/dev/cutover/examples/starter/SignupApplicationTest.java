package dev.cutover.examples.starter;

import static dev.cutover.examples.starter.Http.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.CutoverTestDatabaseInitializer;
import dev.cutover.testkit.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextConfiguration;

/**
 * The application on a fresh database of its own (from the testkit): Flyway applies V16 and
 * V17, cutover verifies V17, and the on-call sees it in health, the {@code cutover} endpoint,
 * the metrics and Prometheus. (Spring Boot's tests leave metrics export off unless a test turns
 * it on, as this one does for Prometheus.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.prometheus.metrics.export.enabled=true")
@ContextConfiguration(initializers = CutoverTestDatabaseInitializer.class)
class SignupApplicationTest {

    @Autowired
    TestDatabase db;

    @Autowired
    SignupService signups;

    @Value("${local.server.port}")
    int port;

    @Test
    void theCutoverMigrationRanAndIsVerified() {
        assertThat(db.queryForString("select success::text from flyway_schema_history where version = '17'")).isEqualTo("true");
        assertThat(db.queryForString("select is_nullable from information_schema.columns"
                + " where table_name = 'user' and column_name = 'organization_id'")).isEqualTo("NO");

        long userId = signups.signUp("ann@example.com", "Ann's team");
        assertThat(db.queryForLong("select count(*) from \"user\" where id = " + userId + " and organization_id is not null"))
                .isEqualTo(1);
    }

    @Test
    void healthShowsTheCutoverVerified() {
        String health = new Http(port).body("/actuator/health");
        String component = "$.components.cutover.components['public.user.organization_id']";
        assertThat((String) read(health, "$.status")).isEqualTo("UP");
        assertThat((String) read(health, "$.components.cutover.status")).isEqualTo("UP");
        assertThat((String) read(health, component + ".status")).isEqualTo("UP");
        assertThat((String) read(health, component + ".details.state")).isEqualTo("VERIFIED");
        assertThat((String) read(health, component + ".details.migration")).isEqualTo("17");
        assertThat((Boolean) read(health, component + ".details.verified")).isTrue();
    }

    @Test
    void theCutoverEndpointShowsCountAndVerification() {
        String cutover = new Http(port).body("/actuator/cutover");
        String entry = "$.cutovers['public.\"user\".organization_id']";
        assertThat((String) read(cutover, entry + ".status")).isEqualTo("UP");
        assertThat((String) read(cutover, entry + ".state")).isEqualTo("VERIFIED");
        assertThat((Integer) read(cutover, entry + ".nullCount")).isZero();
        assertThat((String) read(cutover, entry + ".table")).isEqualTo("public.\"user\"");
        assertThat((String) read(cutover, entry + ".checks['foreign key ON DELETE'].actual")).isEqualTo("RESTRICT");
        assertThat((Boolean) read(cutover, entry + ".checks['NOT NULL constraint validated'].passed")).isTrue();
        assertThat((List<?>) read(cutover, entry + ".remediationRuns")).isEmpty();
    }

    @Test
    void theNullGaugeIsInTheMetricsAndInPrometheus() {
        Http http = new Http(port);
        String nulls = http.body("/actuator/metrics/cutover.nulls?tag=table:user");
        assertThat((String) read(nulls, "$.name")).isEqualTo("cutover.nulls");
        assertThat((Double) read(nulls, "$.measurements[0].value")).isEqualTo(0.0);
        assertThat(nulls).contains("\"organization_id\"").contains("\"public\"");
        http.body("/actuator/health");
        assertThat(http.body("/actuator/prometheus"))
                .contains("cutover_nulls_rows{column=\"organization_id\",schema=\"public\",table=\"user\"} 0.0")
                .contains("cutover_verification_passed{column=\"organization_id\",schema=\"public\",table=\"user\"} 1.0");
    }
}
