package dev.cutover.examples.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.CutoverTestDatabaseInitializer;
import dev.cutover.testkit.TestDatabase;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextConfiguration;

/**
 * The compatibility window: the application runs at V16 (the cutover migration not yet shipped)
 * with the Stage A monitor on. A pending cutover is healthy; NULL rows above the baseline latch
 * the gate at NO_GO, which health reports as OUT_OF_SERVICE and the metrics as a NULL count.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.flyway.target=16", "cutover.monitor.enabled=true", "cutover.monitor.every=100ms",
        "cutover.metrics.count-every=0s", "management.prometheus.metrics.export.enabled=true"})
@ContextConfiguration(initializers = CutoverTestDatabaseInitializer.class)
class PendingCutoverTest {

    @Autowired
    TestDatabase db;

    @Value("${local.server.port}")
    int port;

    @Test
    void pendingIsHealthyAndNullsAboveTheBaselineAreOutOfService() {
        Http http = new Http(port);
        String pending = awaitBody(http, "/actuator/health", body -> body.contains("\"verdict\":\"GO\""));
        assertThat(pending).startsWith("{\"status\":\"UP\"").contains("\"state\":\"PENDING\"");

        db.execute("insert into \"user\" (email) values ('ann@example.com'), ('bob@example.com'), ('cyd@example.com')");

        String latched = awaitBody(http, "/actuator/health", body -> body.contains("\"verdict\":\"NO_GO\""));
        assertThat(latched).startsWith("{\"status\":\"OUT_OF_SERVICE\"")
                .contains("\"cutover\":{\"status\":\"OUT_OF_SERVICE\"")
                .contains("\"latched\":true")
                .doesNotContain("\"status\":\"DOWN\"");
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(503);

        assertThat(http.body("/actuator/metrics/cutover.nulls")).contains("{\"statistic\":\"VALUE\",\"value\":3.0}");
        assertThat(http.body("/actuator/prometheus"))
                .contains("cutover_nulls_rows{column=\"organization_id\",schema=\"public\",table=\"user\"} 3.0")
                .contains("cutover_gate_verdict{column=\"organization_id\",schema=\"public\",table=\"user\",verdict=\"NO_GO\"} 1.0");
        assertThat(http.body("/actuator/cutover"))
                .contains("\"nullCount\":3")
                .contains("\"state\":\"PENDING\"")
                .contains("\"verdict\":\"NO_GO\"")
                .doesNotContain("ann@example.com");
        assertThat(db.queryForLong("select count(*) from cutover_observation")).isPositive();
    }

    /** Polls until the body matches (the monitor decides on its own schedule), for at most 30 seconds. */
    private static String awaitBody(Http http, String path, Predicate<String> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String body = http.get(path).body();
        while (!done.test(body) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            body = http.get(path).body();
        }
        assertThat(body).as("GET " + path + " within 30 s").matches(done);
        return body;
    }
}
