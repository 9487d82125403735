package dev.cutover.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.NullBaselineGate;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CutoverMetricsTest {

    static TestDatabase database;
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id").build();
    static final Tags TAGS = Tags.of("schema", "public", "table", "user", "column", "organization_id");

    MeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.create().runbookSchema();
        db = database.cutoverDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @BeforeEach
    void rows() {
        database.execute("""
                alter table "user" drop constraint if exists user_organization_id_not_null;
                alter table "user" alter column organization_id drop not null;
                truncate "user", organizations restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1);
                insert into "user" (email) select 'u' || g || '@example.com' from generate_series(1, 3) g;
                """);
    }

    double gauge(String name, Tags tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void nullsGaugeCountsWhenReadAndKeepsTheCountForCountEvery() {
        CutoverMetrics metrics = CutoverMetrics.builder(db).cutover(CUTOVER).countEvery(Duration.ofHours(1)).build();
        metrics.bindTo(registry);
        assertThat(metrics.lastCount(CUTOVER)).isEmpty();

        assertThat(gauge("cutover.nulls", TAGS)).isEqualTo(3.0);
        database.execute("update \"user\" set organization_id = 1 where id = 2");
        assertThat(gauge("cutover.nulls", TAGS)).as("an hour has not passed").isEqualTo(3.0);

        assertThat(metrics.refresh(CUTOVER)).hasValue(2);
        assertThat(gauge("cutover.nulls", TAGS)).isEqualTo(2.0);
    }

    @Test
    void countEveryZeroCountsOnEveryRead() {
        CutoverMetrics.builder(db).cutover(CUTOVER).countEvery(Duration.ZERO).build().bindTo(registry);
        assertThat(gauge("cutover.nulls", TAGS)).isEqualTo(3.0);
        database.execute("update \"user\" set organization_id = 1");
        assertThat(gauge("cutover.nulls", TAGS)).isEqualTo(0.0);
    }

    @Test
    void gateVerdictFollowsTheRecordedDecisions() {
        CutoverMetrics metrics = CutoverMetrics.builder(db).cutover(CUTOVER).countEvery(Duration.ofHours(1)).build();
        metrics.bindTo(registry);
        assertThat(gauge("cutover.gate.verdict", TAGS.and("verdict", "GO"))).isNaN();

        NullBaselineGate gate = NullBaselineGate.of(db, CUTOVER, 0);
        metrics.record(gate.evaluate());

        assertThat(gauge("cutover.gate.verdict", TAGS.and("verdict", "NO_GO"))).isEqualTo(1.0);
        assertThat(gauge("cutover.gate.verdict", TAGS.and("verdict", "GO"))).isEqualTo(0.0);
        assertThat(gauge("cutover.gate.verdict", TAGS.and("verdict", "UNKNOWN"))).isEqualTo(0.0);
        assertThat(metrics.lastCount(CUTOVER)).hasValue(3);

        database.execute("update \"user\" set organization_id = 1");
        gate.rearm();
        metrics.record(gate.evaluate());
        assertThat(gauge("cutover.gate.verdict", TAGS.and("verdict", "GO"))).isEqualTo(1.0);
        assertThat(gauge("cutover.nulls", TAGS)).isEqualTo(0.0);
    }

    @Test
    void remediationEventsCountRowsAndBatches() {
        CutoverMetrics metrics = CutoverMetrics.builder(db).cutover(CUTOVER).countEvery(Duration.ofHours(1)).build();
        metrics.bindTo(registry);

        Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant(1L)).batchSize(2)
                .onEvent(metrics.remediationListener(CUTOVER)).build().run();

        assertThat(registry.get("cutover.remediation.rows").tags(TAGS.and("result", "assigned")).counter().count()).isEqualTo(3.0);
        assertThat(registry.get("cutover.remediation.rows").tags(TAGS.and("result", "skipped")).counter().count()).isZero();
        assertThat(registry.get("cutover.remediation.batches").tags(TAGS).timer().count()).isEqualTo(2);
        assertThat(registry.get("cutover.remediation.retries").tags(TAGS).counter().count()).isZero();
        assertThat(gauge("cutover.remediation.rows.per.second", TAGS)).isPositive();
        assertThat(metrics.lastCount(CUTOVER)).as("the round's remaining count").hasValue(0);
    }

    @Test
    void migrationStepsAreTimedAndTheVerificationRecorded() {
        database.execute("update \"user\" set organization_id = 1");
        CutoverMetrics metrics = CutoverMetrics.builder(db).cutover(CUTOVER).build();
        metrics.bindTo(registry);
        assertThat(gauge("cutover.verification.passed", TAGS)).isNaN();
        metrics.record(CUTOVER, db.verify(CUTOVER));
        assertThat(gauge("cutover.verification.passed", TAGS)).isEqualTo(0.0);

        NotNullMigration.builder(db, CUTOVER).onEvent(metrics.migrationListener(CUTOVER)).build().run();
        metrics.record(CUTOVER, db.verify(CUTOVER));

        assertThat(registry.get("cutover.migration.step").tags(TAGS).timers()).isNotEmpty()
                .allSatisfy(timer -> assertThat(timer.count()).isEqualTo(1));
        assertThat(registry.get("cutover.migration.lock.wait").tags(TAGS).timers()).isNotEmpty();
        assertThat(gauge("cutover.verification.passed", TAGS)).isEqualTo(1.0);
    }

    @Test
    void aCutoverNotMeasuredIsRefusedWithHowToAddIt() {
        CutoverMetrics metrics = CutoverMetrics.builder(db).cutover(CUTOVER).build();
        NotNullCutover other = NotNullCutover.builder("organizations", "domain").build();
        assertThatThrownBy(() -> metrics.refresh(other)).isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("public.organizations.domain is not measured by these metrics; add it with CutoverMetrics.builder(db).cutover(...)");
        assertThatThrownBy(() -> CutoverMetrics.builder(db).build()).isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("CutoverMetrics needs at least one cutover: add it with cutover(...)");
        assertThatThrownBy(() -> CutoverMetrics.builder(db).cutover(CUTOVER).cutover(CUTOVER))
                .hasMessage("public.\"user\".organization_id was already added");
    }
}
