package dev.cutover.core.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.catalog.NotNullState;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.remediation.RemediationReport;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The enforce phase ({@link NotNullMigration#enforceForNewRows()}) while NULL rows remain, then
 * remediation and the finishing migration, on the test server (embedded 18, or the CI server) and
 * on PostgreSQL 12.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EnforceForNewRowsTest {

    private static final Map<String, TestDatabase> DATABASES = new ConcurrentHashMap<>();

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .references("organizations", "id")
            .onDelete(ReferentialAction.RESTRICT)
            .foreignKey("user_organization_id_organizations_id_fk")
            .build();

    static Stream<Named<Supplier<TestDatabase>>> servers() {
        return Stream.of(
                Named.of("test server", () -> database("default", TestDatabase::create)),
                Named.of("PostgreSQL 12", () -> database("12", () -> TestDatabase.embedded(12))));
    }

    /** Three users with an organization, two without. */
    private static TestDatabase database(String key, Supplier<TestDatabase> create) {
        TestDatabase database = DATABASES.computeIfAbsent(key, k -> create.get());
        database.execute("drop table if exists \"user\", organizations cascade");
        database.execute(TestDatabase.RUNBOOK_SCHEMA);
        database.execute("""
                insert into organizations (name) values ('Acme'), ('Globex');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1), ('bob@acme.test', 1), ('cy@globex.test', 2);
                insert into "user" (email) values ('dee@nowhere.test'), ('eve@nowhere.test');
                """);
        return database;
    }

    @AfterAll
    static void dropDatabases() {
        DATABASES.values().forEach(TestDatabase::close);
    }

    private static long notNullConstraints(TestDatabase database) {
        return database.queryLong("""
                select count(*) from pg_constraint con join pg_attribute a on a.attrelid = con.conrelid and a.attnum = any(con.conkey)
                where con.conrelid = '"user"'::regclass and a.attname = 'organization_id' and con.contype in ('n', 'c')""");
    }

    private static String expectedConstraint(CutoverDatabase db) {
        return db.serverVersion().hasNotNullConstraints() ? "user_organization_id_not_null" : "user_organization_id_cutover_not_null";
    }

    /** The SQLSTATE of the statement's failure, or {@code null} when it succeeded. */
    private static String sqlState(TestDatabase database, String sql) {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void refusesNewNullsWhileOldOnesStayThenTheMigrationValidatesTheSameConstraint(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        NotNullMigration migration = NotNullMigration.builder(db, CUTOVER).build();
        String violation = db.serverVersion().hasNotNullConstraints() ? "23502" : "23514";

        MigrationReport enforced = migration.enforceForNewRows();

        assertThat(enforced.steps()).singleElement().satisfies(step -> {
            assertThat(step.ran()).isTrue();
            assertThat(step.name()).endsWith("NOT VALID");
        });
        assertThat(db.column("public", "user", "organization_id").orElseThrow().notNullState()).isEqualTo(NotNullState.NOT_VALID);
        assertThat(db.column("public", "user", "organization_id").orElseThrow().notValidConstraint().orElseThrow().name())
                .isEqualTo(expectedConstraint(db));
        assertThat(sqlState(database, "insert into \"user\" (email) values ('fay@nowhere.test')")).isEqualTo(violation);
        assertThat(sqlState(database, "update \"user\" set organization_id = null where email = 'ann@acme.test'")).isEqualTo(violation);
        assertThat(sqlState(database, "insert into \"user\" (email, organization_id) values ('gus@acme.test', 1)")).isNull();
        assertThat(db.probe(CUTOVER).count()).as("the old NULL rows stay").isEqualTo(2);

        // In between: the verification says what is left to do, and the migration refuses while NULLs remain.
        VerificationReport between = db.verify(CUTOVER);
        assertThat(between.notValidatedYet()).isTrue();
        assertThat(between.check(VerificationCheck.CONSTRAINT_VALIDATED).orElseThrow().actual())
                .startsWith("not validated yet: the NOT VALID")
                .contains(expectedConstraint(db))
                .endsWith("remediate until the NULL count is 0, then run the migration (NotNullMigration.run()), which "
                        + "validates it");
        Throwable refused = catchThrowable(migration::run);
        assertThat(refused).isInstanceOf(MigrationBlockedException.class)
                .hasMessageEndingWith("do not force-forward. New NULLs are refused meanwhile: the NOT VALID "
                        + (db.serverVersion().hasNotNullConstraints() ? "NOT NULL" : "CHECK") + " constraint "
                        + expectedConstraint(db) + " is in place, so the count can only fall.");

        RemediationReport fixed = Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant(2L)).build().run();
        assertThat(fixed.assigned()).isEqualTo(2);
        assertThat(db.probe(CUTOVER).count()).isZero();

        MigrationReport finished = migration.run();

        assertThat(finished.steps().get(0).ran()).as("the NOT VALID constraint is reused, not added again").isFalse();
        VerificationReport verified = db.verify(CUTOVER);
        assertThat(verified.passed()).as(verified.render()).isTrue();
        assertThat(db.column("public", "user", "organization_id").orElseThrow().notNullState()).isEqualTo(NotNullState.NOT_NULL);
        assertThat(notNullConstraints(database)).isEqualTo(db.serverVersion().hasNotNullConstraints() ? 1 : 0);
        if (db.serverVersion().hasNotNullConstraints()) {
            assertThat(database.queryString("select conname from pg_constraint where conrelid = '\"user\"'::regclass "
                    + "and contype = 'n' and conkey = array[(select attnum from pg_attribute where attrelid = '\"user\"'::regclass "
                    + "and attname = 'organization_id')]")).isEqualTo(expectedConstraint(db));
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void theCatalogShowsEachStateOnTheWayToNotNull(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        NotNullMigration migration = NotNullMigration.builder(db, CUTOVER).build();
        Supplier<NotNullState> state = () -> db.column("public", "user", "organization_id").orElseThrow().notNullState();
        assertThat(state.get()).isEqualTo(NotNullState.NONE);
        assertThat(state.get().refusesNewNulls()).isFalse();

        migration.enforceForNewRows();
        assertThat(state.get()).isEqualTo(NotNullState.NOT_VALID);
        assertThat(state.get().refusesNewNulls()).isTrue();

        database.execute("update \"user\" set organization_id = 1 where organization_id is null");
        migration.run(1);
        // PostgreSQL 12 to 17: the CHECK is validated, SET NOT NULL has not run; 18: validating is the last NOT NULL step.
        assertThat(state.get()).isEqualTo(db.serverVersion().hasNotNullConstraints() ? NotNullState.NOT_NULL : NotNullState.VALIDATED);
        assertThat(db.column("public", "user", "organization_id").orElseThrow().notValidConstraint()).isEmpty();

        migration.run();
        assertThat(state.get()).isEqualTo(NotNullState.NOT_NULL);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void runsOnceAndIsSkippedWhenTheColumnRefusesNullsAlready(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        NotNullMigration migration = NotNullMigration.builder(db, CUTOVER).build();

        migration.enforceForNewRows();
        MigrationReport again = migration.enforceForNewRows();

        assertThat(again.ran()).isEmpty();
        assertThat(again.attempts()).isZero();
        assertThat(notNullConstraints(database)).isOne();
        assertThat(migration.plan().enforcePhase().complete()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("servers")
    void theEnforcePhaseIsTheFirstStepOfThePlanAndAScriptOfItsOwn(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        MigrationPlan plan = NotNullMigration.builder(db, CUTOVER).build().plan();

        assertThat(plan.steps()).filteredOn(MigrationStep::enforcesNewRows).singleElement()
                .isEqualTo(plan.steps().get(0));
        MigrationPlan enforce = plan.enforcePhase();
        String addSql = db.serverVersion().hasNotNullConstraints()
                ? "alter table \"public\".\"user\" add constraint \"user_organization_id_not_null\" not null \"organization_id\" not valid"
                : "alter table \"public\".\"user\" add constraint \"user_organization_id_cutover_not_null\" "
                        + "check (\"organization_id\" is not null) not valid";
        assertThat(enforce.steps()).singleElement().satisfies(step -> assertThat(step.sql()).isEqualToIgnoringCase(addSql));
        assertThat(enforce.toSql())
                .startsWith("-- Enforce NOT NULL for new rows of public.\"user\".organization_id (PostgreSQL ")
                .contains("-- Enforce phase: from this statement on, new NULLs are refused at write time.")
                .contains("SET lock_timeout = '50ms';")
                .doesNotContainIgnoringCase("validate constraint");
        assertThat(plan.toSql()).startsWith("-- NOT NULL without downtime for ").contains(enforce.steps().get(0).sql())
                .containsIgnoringCase("validate constraint");

        // The script of the enforce phase runs while NULLs remain.
        database.execute(enforce.toSql());
        assertThat(db.column("public", "user", "organization_id").orElseThrow().notNullState()).isEqualTo(NotNullState.NOT_VALID);
        assertThat(NotNullMigration.builder(db, CUTOVER).build().plan().steps().get(0).done()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("servers")
    void waitsForTheTableAsTheMigrationDoesAndChangesNothingWhenTheDeadlinePasses(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        NotNullMigration migration = NotNullMigration.builder(db, CUTOVER).lockTimeout(Duration.ofMillis(20))
                .deadline(Duration.ofMillis(600)).build();
        try (OpenTransaction reader = new OpenTransaction(database, "select * from \"user\" limit 1")) {
            assertThatThrownBy(migration::enforceForNewRows)
                    .isInstanceOf(MigrationTimeoutException.class)
                    .hasMessageContaining("stopped at step 1 of 1")
                    .hasMessageContaining("pid " + reader.pid());
        }
        assertThat(notNullConstraints(database)).isZero();
        assertThat(db.column("public", "user", "organization_id").orElseThrow().notNullState()).isEqualTo(NotNullState.NONE);
    }
}
