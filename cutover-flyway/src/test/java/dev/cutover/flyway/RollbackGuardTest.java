package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.flyway;
import static dev.cutover.flyway.Runbook.historyRows;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rollback guard of {@link CutoverCallback}: a later migration may not take the NOT NULL away unnoticed. */
class RollbackGuardTest {

    private static final String CHANGE = "column NOT NULL: expected NOT NULL, actual nullable (is_nullable = YES); "
            + "NOT NULL constraint validated: expected validated, actual no NOT NULL or CHECK (IS NOT NULL) constraint";

    private TestDatabase db;

    @BeforeEach
    void cutoverApplied() {
        db = TestDatabase.create();
        Runbook.tablesWithThreeNullUsers(db, "guard");
        db.execute("update \"user\" set organization_id = 1");
        flyway(db.dataSource(), "guard", CutoverCallback.forMigration("17", cutover()).build()).target("17").load().migrate();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void refusesALaterMigrationThatDropsTheNotNull() {
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "guard", callback).load().migrate());

        CutoverMigrationException failure = cutoverFailure(refused);
        assertThat(failure.reason()).isEqualTo(CutoverMigrationException.Reason.GUARD_REFUSED);
        assertThat(failure.migration()).isEqualTo("18");
        assertThat(failure.getMessage()).isEqualTo("Migration 18 refused before it ran: its script V18__drop_org_not_null.sql "
                + "would take the validated NOT NULL away from public.\"user\".organization_id (ALTER COLUMN organization_id DROP "
                + "NOT NULL). Dropping NOT NULL is a data-integrity regression and needs incident-level review (see the runbook's "
                + "abort / rollback guidance). If it is intended, configure an incident override (incidentOverride(\"INC-...\", "
                + "\"reason\"), or cutover.incident.id and cutover.incident.reason) and re-run; the override is recorded in "
                + "cutover_audit.");
        assertThat(historyRows(db, "18")).isZero();
        assertThat(isNullable(db)).isEqualTo("NO");
        assertThat(db.cutoverDatabase().verify(cutover()).passed()).isTrue();
    }

    @Test
    void appliesItUnderAnIncidentOverrideAndAuditsIt() {
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover())
                .incidentOverride("INC-1234", "signup outage: org assignment service down")
                .actor("jane.doe")
                .build();

        flyway(db.dataSource(), "guard", callback).load().migrate();

        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '18' and success")).isOne();
        assertThat(isNullable(db)).isEqualTo("YES");
        assertThat(db.queryLong("select count(*) from public.cutover_audit")).isOne();
        assertThat(db.queryString("select concat_ws(' | ', (database_user = current_user)::text, actor, incident, reason, migration, "
                + "subject, change, (recorded_at > now() - interval '5 minutes')::text) from public.cutover_audit"))
                .isEqualTo("true | jane.doe | INC-1234 | signup outage: org assignment service down | 18 | "
                        + "public.\"user\".organization_id | " + CHANGE + " | true");
        assertThat(db.queryString("select concat_ws(' | ', a.script, (a.checksum = h.checksum)::text) from public.cutover_audit a "
                + "join flyway_schema_history h on h.version = a.migration"))
                .isEqualTo("V18__drop_org_not_null.sql | true");
    }

    @Test
    void theAuditRollsBackWithTheMigrationsTransaction() {
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover())
                .incidentOverride("INC-1234", "signup outage: org assignment service down")
                .build();

        Throwable failed = catchThrowable(() -> flyway(db.dataSource(), "guardgroup", callback).group(true).load().migrate());

        assertThat(failed).isNotNull();
        assertThat(isNullable(db)).isEqualTo("NO");
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'cutover_audit'")).isZero();
    }

    @Test
    void leavesLaterMigrationsAloneWhenTheyKeepTheNotNull() {
        db.execute("create table unrelated (id int)");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        flyway(db.dataSource(), "guard", callback).target("17").load().migrate();

        assertThat(historyRows(db, "17")).isOne();
    }

    @Test
    void refusesALaterMigrationThatLeavesTheNotNullUnvalidated() {
        assumeTrue(db.majorVersion() >= 18, "NOT NULL ... NOT VALID needs PostgreSQL 18");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "guardnotvalid", callback).load().migrate());

        // Its script drops the NOT NULL before re-adding it NOT VALID: refused before it runs, so nothing is committed.
        assertThat(cutoverFailure(refused).getMessage()).startsWith("Migration 18 refused before it ran: its script "
                + "V18__org_not_null_not_valid.sql would take the validated NOT NULL away from public.\"user\".organization_id "
                + "(ALTER COLUMN organization_id DROP NOT NULL).");
        assertThat(historyRows(db, "18")).isZero();
        assertThat(db.cutoverDatabase().verify(cutover()).passed()).isTrue();
    }

    @Test
    void refusesAnOverrideWithoutAReason() {
        assertThatCode(() -> CutoverCallback.forMigration("17", cutover()).incidentOverride("INC-1234", " "))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("reason of the incident override INC-1234 must not be empty");
    }
}
