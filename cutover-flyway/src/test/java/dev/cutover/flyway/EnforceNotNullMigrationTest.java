package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.flyway;
import static dev.cutover.flyway.Runbook.historyRows;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.catalog.NotNullState;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.core.verify.VerificationReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Flyway project with the enforce phase as a Java migration (V16_5) applied while NULLs remain,
 * then the finishing migration (V17) after remediation; on the test server and on PostgreSQL 12.
 */
class EnforceNotNullMigrationTest {

    private TestDatabase db;

    static Stream<Named<Supplier<TestDatabase>>> servers() {
        return Stream.of(Named.of("test server", TestDatabase::create), Named.of("PostgreSQL 12", () -> TestDatabase.embedded(12)));
    }

    @AfterEach
    void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    private NotNullState state() {
        return db.cutoverDatabase().column("public", "user", "organization_id").orElseThrow().notNullState();
    }

    /** The SQLSTATE of the statement's failure, or {@code null} when it succeeded. */
    private String sqlState(String sql) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void enforcesWhileNullsRemainThenTheCutoverMigrationFinishesAfterRemediation(Supplier<TestDatabase> server) {
        db = server.get();
        Runbook.tablesWithThreeNullUsers(db, "enforce");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        // The enforce migration is not held back by the NULLs: the callback's NULL gate is for V17.
        int enforced = flyway(db.dataSource(), "enforce", callback).target("16.5").load().migrate().migrationsExecuted;

        assertThat(enforced).isOne();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '16.5' and success")).isOne();
        assertThat(state()).isEqualTo(NotNullState.NOT_VALID);
        assertThat(sqlState("insert into \"user\" (email) values ('new@example.com')")).isIn("23514", "23502");
        assertThat(sqlState("update \"user\" set organization_id = null where email = 'dee@acme.example'")).isIn("23514", "23502");
        assertThat(db.cutoverDatabase().probe(cutover()).count()).as("the old NULLs stay").isEqualTo(3);
        VerificationReport between = db.cutoverDatabase().verify(cutover());
        assertThat(between.notValidatedYet()).as(between.render()).isTrue();

        // The finishing migration is still refused while the old NULLs remain.
        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "enforce", callback).load().migrate());
        assertThat(cutoverFailure(blocked).reason()).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);
        assertThat(historyRows(db, "17")).isZero();
        assertThat(state()).isEqualTo(NotNullState.NOT_VALID);

        db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        int finished = flyway(db.dataSource(), "enforce", callback).load().migrate().migrationsExecuted;

        assertThat(finished).isOne();
        assertThat(isNullable(db)).isEqualTo("NO");
        CutoverDatabase cutoverDb = db.cutoverDatabase();
        assertThat(cutoverDb.verify(cutover()).passed()).isTrue();
        assertThat(state()).isEqualTo(NotNullState.NOT_NULL);
        assertThat(db.queryLong("""
                select count(*) from pg_constraint con join pg_attribute a on a.attrelid = con.conrelid and a.attnum = any(con.conkey)
                where con.conrelid = '"user"'::regclass and a.attname = 'organization_id' and con.contype in ('n', 'c')"""))
                .as("no second constraint").isEqualTo(cutoverDb.serverVersion().hasNotNullConstraints() ? 1 : 0);
    }

    /** A callback given the enforce migration's version would gate the wrong migration: refused, naming the fix. */
    @Test
    void refusesACallbackConfiguredWithTheEnforceMigrationsVersion() {
        db = TestDatabase.create();
        Runbook.tablesWithThreeNullUsers(db, "enforce");

        Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "enforce",
                CutoverCallback.forMigration("16.5", cutover()).build()).target("16.5").load().migrate());

        CutoverMigrationException failure = cutoverFailure(refused);
        assertThat(failure.reason()).isEqualTo(CutoverMigrationException.Reason.NO_SUCH_MIGRATION);
        assertThat(failure.getMessage()).isEqualTo("Migration 16.5 is an EnforceNotNullMigration "
                + "(dev.cutover.flyway.enforce.V16_5__user_org_enforce_not_null): it enforces NOT NULL for new rows of "
                + "public.\"user\".organization_id while NULLs remain, so it is not the cutover migration the callback gates. "
                + "Nothing was migrated. Configure the callback with the version of the migration that finishes the cutover (a "
                + "NotNullCutoverMigration, or the SQL that validates), then re-run.");
        assertThat(historyRows(db, "16.5")).isZero();
        assertThat(state()).isEqualTo(NotNullState.NONE);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void refusesAMigrationThatDropsTheNotValidConstraintOnceEnforced(Supplier<TestDatabase> server) {
        db = server.get();
        Runbook.tablesWithThreeNullUsers(db, "enforceguard");
        flyway(db.dataSource(), "enforceguard", CutoverCallback.forMigration("17", cutover()).build()).target("16.5").load().migrate();
        String constraint = db.cutoverDatabase().serverVersion().hasNotNullConstraints()
                ? "NOT NULL constraint user_organization_id_not_null" : "CHECK constraint user_organization_id_cutover_not_null";
        String dropped = db.cutoverDatabase().serverVersion().hasNotNullConstraints()
                ? "user_organization_id_not_null" : "user_organization_id_cutover_not_null";

        Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "enforceguard",
                CutoverCallback.forMigration("17", cutover()).build()).target("16.7").load().migrate());

        CutoverMigrationException failure = cutoverFailure(refused);
        assertThat(failure.reason()).isEqualTo(CutoverMigrationException.Reason.GUARD_REFUSED);
        assertThat(failure.getMessage()).isEqualTo("Migration 16.7 refused before it ran: its script V16_7__drop_enforcement.sql "
                + "would take away the NOT VALID " + constraint + ", which refuses new NULLs in public.\"user\".organization_id "
                + "(DROP CONSTRAINT " + dropped + "). Once enforced for new rows, dropping it is treated as dropping the NOT NULL: "
                + "it needs incident-level review (see the runbook's abort / rollback guidance). If it is intended, configure an "
                + "incident override (incidentOverride(\"INC-...\", \"reason\"), or cutover.incident.id and cutover.incident.reason) "
                + "and re-run; the override is recorded in cutover_audit.");
        assertThat(historyRows(db, "16.7")).isZero();
        assertThat(state()).isEqualTo(NotNullState.NOT_VALID);

        flyway(db.dataSource(), "enforceguard", CutoverCallback.forMigration("17", cutover())
                .incidentOverride("INC-42", "enforcement broke the legacy import").build()).target("16.7").load().migrate();

        assertThat(state()).isEqualTo(NotNullState.NONE);
        assertThat(db.queryString("select concat_ws(' | ', incident, migration, change) from cutover_audit"))
                .isEqualTo("INC-42 | 16.7 | the NOT VALID " + constraint + " is gone: new NULLs are accepted again");
    }
}
