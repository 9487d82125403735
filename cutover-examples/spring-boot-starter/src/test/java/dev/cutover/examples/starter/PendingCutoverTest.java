package dev.cutover.examples.starter;

import static dev.cutover.examples.starter.Http.read;
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
        String component = "$.components.cutover.components['public.user.organization_id']";
        assertThat((String) read(pending, "$.status")).isEqualTo("UP");
        assertThat((String) read(pending, component + ".status")).isEqualTo("UP");
        assertThat((String) read(pending, component + ".details.state")).isEqualTo("PENDING");

        db.execute("insert into \"user\" (email) values ('ann@example.com'), ('bob@example.com'), ('cyd@example.com')");

        String latched = awaitBody(http, "/actuator/health", body -> body.contains("\"verdict\":\"NO_GO\""));
        assertThat((String) read(latched, "$.status")).isEqualTo("OUT_OF_SERVICE");
        assertThat((String) read(latched, "$.components.cutover.status")).isEqualTo("OUT_OF_SERVICE");
        assertThat((String) read(latched, component + ".details.state")).isEqualTo("PENDING");
        assertThat((Boolean) read(latched, component + ".details.gate.latched")).isTrue();
        assertThat((Integer) read(latched, component + ".details.gate.nullCount")).isEqualTo(3);
        assertThat(latched).doesNotContain("\"DOWN\"");
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(503);

        assertThat((Double) read(http.body("/actuator/metrics/cutover.nulls"), "$.measurements[0].value")).isEqualTo(3.0);
        assertThat(http.body("/actuator/prometheus"))
                .contains("cutover_nulls_rows{column=\"organization_id\",schema=\"public\",table=\"user\"} 3.0")
                .contains("cutover_gate_verdict{column=\"organization_id\",schema=\"public\",table=\"user\",verdict=\"NO_GO\"} 1.0");
        String cutover = http.body("/actuator/cutover");
        String entry = "$.cutovers['public.\"user\".organization_id']";
        assertThat((Integer) read(cutover, entry + ".nullCount")).isEqualTo(3);
        assertThat((String) read(cutover, entry + ".status")).isEqualTo("OUT_OF_SERVICE");
        assertThat((String) read(cutover, entry + ".gate.verdict")).isEqualTo("NO_GO");
        assertThat(cutover).doesNotContain("ann@example.com");
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
