package dev.cutover.examples.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.CutoverTestDatabaseInitializer;
import dev.cutover.testkit.TestDatabase;
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
        assertThat(health).startsWith("{\"status\":\"UP\"")
                .contains("\"cutover\":{\"status\":\"UP\",\"components\":{\"public.user.organization_id\":{\"status\":\"UP\","
                        + "\"details\":{\"migration\":\"17\",\"verified\":true,")
                .contains("\"state\":\"VERIFIED\"");
    }

    @Test
    void theCutoverEndpointShowsCountAndVerification() {
        String cutover = new Http(port).body("/actuator/cutover");
        assertThat(cutover)
                .contains("\"public.\\\"user\\\".organization_id\":{")
                .contains("\"status\":\"UP\"")
                .contains("\"nullCount\":0")
                .contains("\"state\":\"VERIFIED\"")
                .contains("\"foreign key ON DELETE\":{")
                .contains("\"expected\":\"RESTRICT\"");
    }

    @Test
    void theNullGaugeIsInTheMetricsAndInPrometheus() {
        Http http = new Http(port);
        assertThat(http.body("/actuator/metrics/cutover.nulls"))
                .contains("\"name\":\"cutover.nulls\"")
                .contains("{\"statistic\":\"VALUE\",\"value\":0.0}")
                .contains("{\"tag\":\"column\",\"values\":[\"organization_id\"]}");
        http.body("/actuator/health");
        assertThat(http.body("/actuator/prometheus"))
                .contains("cutover_nulls_rows{column=\"organization_id\",schema=\"public\",table=\"user\"} 0.0")
                .contains("cutover_verification_passed{column=\"organization_id\",schema=\"public\",table=\"user\"} 1.0");
    }
}
