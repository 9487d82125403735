package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.historyRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.flyway.internal.CallbackProperties;
import java.util.Map;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link CutoverCallback}'s no-arg constructor and {@code cutover.properties}. */
class CutoverCallbackPropertiesTest {

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void worksAsFlywayCallbacksClassNameWithNoCode() {
        Runbook.tablesWithThreeNullUsers(db, "properties");
        Flyway flyway = Flyway.configure()
                .configuration(Map.of("flyway.callbacks", "dev.cutover.flyway.CutoverCallback",
                        "flyway.locations", "classpath:dev/cutover/flyway/properties"))
                .dataSource(db.dataSource())
                .load();

        Throwable blocked = catchThrowable(flyway::migrate);

        assertThat(cutoverFailure(blocked).getMessage()).isEqualTo("Migration 17 blocked: 3 rows in public.\"user\" have "
                + "organization_id IS NULL (baseline 0). Sample keys: id=3, id=2, id=1. Remediate (see the runbook's "
                + "remediation loop), then re-run; do not force-forward.");
        assertThat(historyRows(db, "17")).isZero();

        db.execute("update \"user\" set organization_id = 1");
        assertThat(flyway.migrate().migrationsExecuted).isOne();
    }

    @Test
    void readsEveryCutoverSettingFromTheClasspathFile() {
        CutoverCallback callback = new CutoverCallback();

        assertThat(callback.cutover()).isEqualTo(cutover());
        assertThat(callback.incidentOverride()).isEmpty();
    }

    @Test
    void readsTheIncidentOverride() {
        Properties p = minimal();
        p.setProperty("cutover.incident.id", "INC-1234");
        p.setProperty("cutover.incident.reason", "outage");
        p.setProperty("cutover.incident.actor", "jane.doe");

        assertThat(CutoverCallback.fromProperties(p).incidentOverride())
                .contains(new CutoverCallback.IncidentOverride("INC-1234", "outage", java.util.Optional.of("jane.doe")));
    }

    @Test
    void namesAMissingTable() {
        Properties p = minimal();
        p.remove("cutover.table");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.table is missing");
    }

    @Test
    void namesAMissingColumn() {
        Properties p = minimal();
        p.setProperty("cutover.column", " ");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.column is missing (empty)");
    }

    @Test
    void namesAMissingMigration() {
        Properties p = minimal();
        p.remove("cutover.migration.version");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.migration.version is missing: say which migration is the cutover "
                        + "(e.g. cutover.migration.version=17), or give cutover.migration.script");
    }

    @Test
    void namesABadMigrationVersion() {
        Properties p = minimal();
        p.setProperty("cutover.migration.version", "V17");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.migration.version: migration version must look like 17 or 2.1 (Flyway's V<version>__...), "
                        + "but was \"V17\"");
    }

    @Test
    void namesABadOnDeleteAction() {
        Properties p = minimal();
        p.setProperty("cutover.references.table", "organizations");
        p.setProperty("cutover.references.column", "id");
        p.setProperty("cutover.on-delete", "DELETE");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.on-delete must be one of RESTRICT, NO ACTION, CASCADE, SET NULL, SET DEFAULT, but was \"DELETE\"");
    }

    @Test
    void acceptsOnDeleteActionsWithUnderscores() {
        Properties p = minimal();
        p.setProperty("cutover.references.table", "organizations");
        p.setProperty("cutover.references.column", "id");
        p.setProperty("cutover.on-delete", "no_action");

        assertThat(CutoverCallback.fromProperties(p).cutover().onDelete()).contains(dev.cutover.core.ReferentialAction.NO_ACTION);
    }

    @Test
    void namesAReferencedColumnWithoutItsTable() {
        Properties p = minimal();
        p.setProperty("cutover.references.column", "id");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.references.table is missing: cutover.references.column needs it");
    }

    @Test
    void namesABadBaseline() {
        Properties p = minimal();
        p.setProperty("cutover.baseline", "zero");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.baseline must be a whole number, but was \"zero\"");
    }

    @Test
    void namesANegativeBaseline() {
        Properties p = minimal();
        p.setProperty("cutover.baseline", "-1");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.baseline: baseline must be at least 0, but was -1");
    }

    @Test
    void namesABadProbeTimeout() {
        Properties p = minimal();
        p.setProperty("cutover.probe-timeout", "soon");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.probe-timeout must be a duration such as 500ms, 30s, 2m or PT30S, but was \"soon\"");
    }

    @Test
    void namesAnOverlongIdentifier() {
        Properties p = minimal();
        p.setProperty("cutover.foreign-key", "x".repeat(64));
        p.setProperty("cutover.references.table", "organizations");
        p.setProperty("cutover.references.column", "id");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageStartingWith("cutover.foreign-key: foreign key name must be at most 63 bytes");
    }

    @Test
    void namesAnIncidentWithoutReason() {
        Properties p = minimal();
        p.setProperty("cutover.incident.id", "INC-1234");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover.incident.reason is missing: an override of incident INC-1234 needs a reason for the audit");
    }

    @Test
    void namesAnUnknownKey() {
        Properties p = minimal();
        p.setProperty("cutover.colum", "organization_id");

        assertThatCode(() -> CutoverCallback.fromProperties(p))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageStartingWith("Unknown key cutover.colum in cutover configuration; known keys: cutover.baseline, ");
    }

    @Test
    void saysWhatToDoWhenTheFileIsMissing() {
        assertThatCode(() -> CallbackProperties.load("missing-cutover.properties"))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("missing-cutover.properties was not found on the classpath. The no-arg constructor of "
                        + "dev.cutover.flyway.CutoverCallback (flyway.callbacks=dev.cutover.flyway.CutoverCallback) reads its "
                        + "configuration from it: add it (e.g. src/main/resources/missing-cutover.properties with "
                        + "cutover.migration.version, cutover.table and cutover.column), or build the callback in code with "
                        + "CutoverCallback.forMigration(version, cutover).");
    }

    @Test
    void acceptsProbeTimeoutsInEveryDocumentedForm() {
        for (String timeout : new String[] {"500ms", "30s", "2m", "PT30S"}) {
            Properties p = minimal();
            p.setProperty("cutover.probe-timeout", timeout);
            assertThatCode(() -> CutoverCallback.fromProperties(p)).as(timeout).doesNotThrowAnyException();
        }
    }

    private static Properties minimal() {
        Properties p = new Properties();
        p.setProperty("cutover.migration.version", "17");
        p.setProperty("cutover.table", "user");
        p.setProperty("cutover.column", "organization_id");
        return p;
    }
}
