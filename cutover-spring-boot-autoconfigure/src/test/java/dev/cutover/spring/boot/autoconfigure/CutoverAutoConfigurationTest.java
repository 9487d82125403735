package dev.cutover.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.metrics.CutoverMetrics;
import dev.cutover.core.preflight.PreflightCheck;
import dev.cutover.flyway.CutoverMigrationException;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class CutoverAutoConfigurationTest {

    static ScratchDatabase database;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CutoverAutoConfiguration.class))
            .withPropertyValues("cutover.cutovers[0].table=accounts", "cutover.cutovers[0].column=team_id",
                    "cutover.cutovers[0].migration=2");

    @BeforeAll
    static void createDatabase() {
        database = PostgresServers.shared().createDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @Test
    void threePropertiesGiveFlywayOneCallbackWhoseClassIsMadeFromTheFlywayPresent() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            ConfiguredCutovers cutovers = context.getBean(ConfiguredCutovers.class);
            assertThat(cutovers.all()).singleElement().satisfies(c -> {
                assertThat(c.property()).isEqualTo("cutover.cutovers[0]");
                assertThat(c.cutover().subject()).isEqualTo("public.accounts.team_id");
                assertThat(c.migration()).isEqualTo("2");
                assertThat(c.baseline()).isZero();
            });
            Callback callback = context.getBean(Callback.class);
            assertThat(Proxy.isProxyClass(callback.getClass())).isTrue();
            assertThat(callback.getCallbackName()).isEqualTo("cutover public.accounts.team_id");
            assertThat(context).doesNotHaveBean(CutoverDatabase.class);
        });
    }

    @Test
    void theCallbackBlocksTheMigrationWhileNullsRemainAndPreflightCheckBeansJoin() {
        AtomicBoolean teamsReady = new AtomicBoolean();
        runner.withBean(PreflightCheck.class, () -> PreflightCheck.of("teams ready", db -> teamsReady.get()
                        ? PreflightCheck.Outcome.pass("ready") : PreflightCheck.Outcome.fail("not yet")))
                .run(context -> {
                    Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/autoconfig").target("1")
                            .load().migrate();
                    database.execute("insert into accounts (email) values ('a@example.com'), ('b@example.com')");
                    Flyway flyway = Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/autoconfig")
                            .callbacks(context.getBean(Callback.class)).load();

                    assertThatThrownBy(flyway::migrate).hasRootCauseInstanceOf(CutoverMigrationException.class)
                            .hasStackTraceContaining("Migration 2 blocked: 2 rows in public.accounts have team_id IS NULL (baseline 0).");

                    database.execute("update accounts set team_id = 1");
                    assertThatThrownBy(flyway::migrate).hasRootCauseInstanceOf(CutoverMigrationException.class)
                            .hasStackTraceContaining("[FAIL] teams ready: not yet");
                    teamsReady.set(true);
                    flyway.migrate();
                    assertThat(CutoverDatabase.of(database.dataSource()).verify(
                            context.getBean(ConfiguredCutovers.class).all().get(0).cutover()).passed()).isTrue();
                });
    }

    @Test
    void withADataSourceTheMetricsHealthAndEndpointAreThere() {
        runner.withBean(DataSource.class, database::dataSource).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(CutoverDatabase.class).hasSingleBean(CutoverMetrics.class)
                    .hasSingleBean(CutoverEndpoint.class).hasBean("cutoverHealthContributor")
                    .doesNotHaveBean(CutoverMonitors.class);
            assertThat(context.getBean("cutoverHealthContributor")).isInstanceOf(HealthContributor.class);
        });
        runner.withBean(DataSource.class, database::dataSource)
                .withPropertyValues("cutover.monitor.enabled=true", "cutover.monitor.every=5m")
                .run(context -> assertThat(context).hasSingleBean(CutoverMonitors.class));
    }

    @Test
    void cutoverEnabledFalseTurnsItOff() {
        runner.withPropertyValues("cutover.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ConfiguredCutovers.class).doesNotHaveBean(Callback.class));
    }

    @Test
    void aMissingTableIsNamed() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CutoverAutoConfiguration.class))
                .withPropertyValues("cutover.cutovers[0].column=team_id", "cutover.cutovers[0].migration=2")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessage("Property cutover.cutovers[0].table with value '' is invalid: it must be set: the table "
                                + "whose column becomes NOT NULL, e.g. user"));
    }

    @Test
    void badValuesAreNamed() {
        assertFailure("cutover.cutovers[0].on-delete=sometimes", "cutover.cutovers[0].on-delete",
                "the ON DELETE action must be one of RESTRICT, NO_ACTION, CASCADE, SET_NULL, SET_DEFAULT");
        assertFailure("cutover.cutovers[0].migration=2..", "cutover.cutovers[0].migration",
                "migration version must look like 17 or 2.1 (Flyway's V<version>__...), but was \"2..\"");
        assertFailure("cutover.cutovers[0].sample-size=50", "cutover.cutovers[0].sample-size",
                "sampleSize must be between 1 and 20, but was 50");
        assertFailure("cutover.cutovers[0].foreign-key=fk", "cutover.cutovers[0]",
                "foreignKey(fk) needs references(table, column)");
        assertFailure("cutover.cutovers[0].references.table=teams", "cutover.cutovers[0].references.column",
                "it must be set: the column the foreign key references");
        assertFailure("cutover.incident.reason=outage", "cutover.incident.id",
                "an incident reason needs the incident id (CUTOVER_INCIDENT_ID)");
        assertFailure("cutover.incident.id=INC-1", "cutover.incident.reason",
                "it must be set: why incident INC-1 may take a NOT NULL away (CUTOVER_INCIDENT_REASON)");
        assertFailure("cutover.incident.actor=ann", "cutover.incident.actor",
                "the actor is recorded only with an incident override: set cutover.incident.id and cutover.incident.reason too");
        assertFailure("cutover.probe-timeout=0s", "cutover.probe-timeout", "probeTimeout must be between 1 ms and");
    }

    private void assertFailure(String property, String named, String reason) {
        runner.withPropertyValues(property).run(context -> assertThat(context).getFailure().rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("Property " + named + " with value ")
                .hasMessageContaining(reason));
    }
}
