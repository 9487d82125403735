package dev.cutover.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.core.testing.TestDatabase;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The runbook's post-migration verification on the oldest and newest supported PostgreSQL and the test server. */
class VerificationTest {

    private static final Map<String, TestDatabase> DATABASES = new ConcurrentHashMap<>();

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .references("organizations", "id")
            .onDelete(ReferentialAction.RESTRICT)
            .foreignKey("user_organization_id_organizations_id_fk")
            .build();

    static Stream<Named<Supplier<TestDatabase>>> servers() {
        return Stream.of(
                Named.of("test server", () -> database("default", TestDatabase::create)),
                Named.of("PostgreSQL 12", () -> database("12", () -> TestDatabase.embedded(12))),
                Named.of("PostgreSQL 18", () -> database("18", () -> TestDatabase.embedded(18))));
    }

    private static TestDatabase database(String key, Supplier<TestDatabase> create) {
        TestDatabase database = DATABASES.computeIfAbsent(key, k -> create.get());
        database.execute("drop table if exists \"user\", organizations cascade");
        database.execute(TestDatabase.RUNBOOK_SCHEMA);
        database.execute("""
                insert into organizations (name) values ('Acme');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1), ('bob@acme.test', 1);
                """);
        return database;
    }

    @AfterAll
    static void dropDatabases() {
        DATABASES.values().forEach(TestDatabase::close);
    }

    private static final String RUNBOOK_MIGRATION = """
            alter table "user" alter column organization_id set not null;
            alter table "user" add constraint user_organization_id_organizations_id_fk
              foreign key (organization_id) references organizations (id) on delete restrict;
            """;

    @ParameterizedTest
    @MethodSource("servers")
    void passesAfterTheRunbookMigration(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute(RUNBOOK_MIGRATION);
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(CUTOVER);
        assertThat(report.passed()).as(report.render()).isTrue();
        assertThat(report.checks()).extracting(VerificationCheck::name).containsExactly(
                "column NOT NULL", "NOT NULL constraint validated", "foreign key exists", "foreign key references",
                "foreign key validated", "foreign key ON DELETE");
        assertThat(report.requirePassed()).isSameAs(report);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void failsWhileTheColumnIsNullable(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                alter table "user" add constraint user_organization_id_organizations_id_fk
                  foreign key (organization_id) references organizations (id) on delete restrict;
                """);
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(CUTOVER);
        assertThat(report.passed()).isFalse();
        assertThat(report.failures()).containsExactly(
                new VerificationCheck("column NOT NULL", "NOT NULL", "nullable (is_nullable = YES)", false),
                new VerificationCheck("NOT NULL constraint validated", "validated",
                        "no NOT NULL or CHECK (IS NOT NULL) constraint", false));
    }

    @ParameterizedTest
    @MethodSource("servers")
    void failsWhenTheForeignKeyCascades(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                alter table "user" alter column organization_id set not null;
                alter table "user" add constraint user_organization_id_organizations_id_fk
                  foreign key (organization_id) references organizations (id) on delete cascade;
                """);
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(CUTOVER);
        assertThat(report.failures()).containsExactly(
                new VerificationCheck("foreign key ON DELETE", "RESTRICT", "CASCADE", false));
    }

    @ParameterizedTest
    @MethodSource("servers")
    void failsWhenTheForeignKeyIsNotValidated(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                alter table "user" alter column organization_id set not null;
                alter table "user" add constraint user_organization_id_organizations_id_fk
                  foreign key (organization_id) references organizations (id) on delete restrict not valid;
                """);
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(CUTOVER);
        assertThat(report.failures()).containsExactly(
                new VerificationCheck("foreign key validated", "validated", "NOT VALID: existing rows are unchecked", false));
    }

    @ParameterizedTest
    @MethodSource("servers")
    void failsWithoutTheForeignKey(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("alter table \"user\" alter column organization_id set not null");
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(CUTOVER);
        assertThat(report.failures()).extracting(VerificationCheck::name).containsExactly(
                "foreign key exists", "foreign key references", "foreign key validated", "foreign key ON DELETE");
        assertThat(report.failures().get(0).actual()).isEqualTo("none");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void failsWhenTheNamedForeignKeyPointsElsewhere(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                create table teams (id bigint primary key);
                insert into teams values (1);
                alter table "user" alter column organization_id set not null;
                alter table "user" add constraint user_organization_id_organizations_id_fk
                  foreign key (organization_id) references teams (id) on delete restrict;
                """);
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(CUTOVER);
        assertThat(report.failures()).containsExactly(
                new VerificationCheck("foreign key references", "public.organizations(id)", "public.teams(id)", false));
        database.execute("drop table teams cascade");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void discoversAnUnnamedForeignKey(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                alter table "user" alter column organization_id set not null;
                alter table "user" add foreign key (organization_id) references organizations (id) on delete restrict;
                """);
        NotNullCutover unnamed = NotNullCutover.builder("user", "organization_id").references("organizations", "id").build();
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(unnamed);
        assertThat(report.passed()).as(report.render()).isTrue();
        assertThat(report.check("foreign key exists").orElseThrow().actual())
                .isEqualTo("user_organization_id_fkey on (organization_id)");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void aValidatedCheckConstraintCountsAsValidatedButTheColumnMustStillBeNotNull(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                alter table "user" add constraint user_organization_id_not_null check (organization_id is not null);
                """);
        NotNullCutover noForeignKey = NotNullCutover.builder("user", "organization_id").build();
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(noForeignKey);
        assertThat(report.checks()).containsExactly(
                new VerificationCheck("column NOT NULL", "NOT NULL", "nullable (is_nullable = YES)", false),
                new VerificationCheck("NOT NULL constraint validated", "validated",
                        "validated (CHECK constraint user_organization_id_not_null)", true));
    }

    @ParameterizedTest
    @MethodSource("servers")
    void anUnvalidatedCheckConstraintFails(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                insert into "user" (email, organization_id) values ('nobody@acme.test', null);
                alter table "user" add constraint user_organization_id_not_null check (organization_id is not null) not valid;
                """);
        NotNullCutover noForeignKey = NotNullCutover.builder("user", "organization_id").build();
        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(noForeignKey);
        assertThat(report.check("NOT NULL constraint validated").orElseThrow()).isEqualTo(new VerificationCheck(
                "NOT NULL constraint validated", "validated",
                "not validated yet: the NOT VALID CHECK constraint user_organization_id_not_null refuses new NULLs, but rows "
                        + "written before it are unchecked and may hold NULL; remediate until the NULL count is 0, then run the "
                        + "migration (NotNullMigration.run()), which validates it",
                false));
        assertThat(report.notValidatedYet()).isTrue();
    }

    /** After the enforce phase, with old NULLs left: not a generic failure, but "not validated yet" with the next step. */
    @ParameterizedTest
    @MethodSource("servers")
    void saysNotValidatedYetAfterTheEnforcePhaseAndNamesTheNextStep(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("insert into \"user\" (email) values ('nobody@acme.test')");
        CutoverDatabase db = CutoverDatabase.of(database.dataSource());
        NotNullMigration.builder(db, CUTOVER).build().enforceForNewRows();

        VerificationReport report = db.verify(CUTOVER);

        String constraint = db.serverVersion().hasNotNullConstraints() ? "NOT NULL constraint user_organization_id_not_null"
                : "CHECK constraint user_organization_id_cutover_not_null";
        assertThat(report.notValidatedYet()).isTrue();
        assertThat(report.check(VerificationCheck.CONSTRAINT_VALIDATED).orElseThrow().actual()).isEqualTo("not validated yet: "
                + "the NOT VALID " + constraint + " refuses new NULLs, but rows written before it are unchecked and may hold "
                + "NULL; remediate until the NULL count is 0, then run the migration (NotNullMigration.run()), which validates it");
        assertThatThrownBy(report::requirePassed)
                .isInstanceOf(CutoverVerificationException.class)
                .hasMessageEndingWith("The column refuses new NULLs but is not validated yet: remediate the rows written "
                        + "before the NOT VALID constraint until the NULL count is 0, then run the migration (it validates the "
                        + "constraint and finishes), then verify again.");
        assertThat(CutoverDatabase.of(database.dataSource()).verify(NotNullCutover.builder("user", "email").build())
                .notValidatedYet()).as("a column that is NOT NULL").isFalse();
    }

    /** On PostgreSQL 18, is_nullable says NO for an unvalidated NOT NULL constraint; verification must not be fooled. */
    @Test
    void notNullNotValidOnPostgres18WithANullRowFails() {
        TestDatabase database = database("18", () -> TestDatabase.embedded(18));
        assumeTrue(database.majorVersion() >= 18);
        database.execute("""
                insert into "user" (email, organization_id) values ('nobody@acme.test', null);
                alter table "user" add constraint user_organization_id_not_null not null organization_id not valid;
                alter table "user" add constraint user_organization_id_organizations_id_fk
                  foreign key (organization_id) references organizations (id) on delete restrict;
                """);
        assertThat(database.queryString("""
                select is_nullable from information_schema.columns
                where table_name = 'user' and column_name = 'organization_id'""")).isEqualTo("NO");

        VerificationReport report = CutoverDatabase.of(database.dataSource()).verify(CUTOVER);

        assertThat(report.failures()).containsExactly(new VerificationCheck("NOT NULL constraint validated", "validated",
                "not validated yet: the NOT VALID NOT NULL constraint user_organization_id_not_null refuses new NULLs, but rows "
                        + "written before it are unchecked and may hold NULL; remediate until the NULL count is 0, then run the "
                        + "migration (NotNullMigration.run()), which validates it",
                false));
        assertThat(report.render()).isEqualTo("""
                Verification of public."user".organization_id on PostgreSQL %s: FAILED (1 of 6 checks failed)
                  [PASS] column NOT NULL: expected NOT NULL, actual NOT NULL
                  [FAIL] NOT NULL constraint validated: expected validated, actual not validated yet: the NOT VALID NOT NULL \
                constraint user_organization_id_not_null refuses new NULLs, but rows written before it are unchecked and may \
                hold NULL; remediate until the NULL count is 0, then run the migration (NotNullMigration.run()), which validates it
                  [PASS] foreign key exists: expected user_organization_id_organizations_id_fk, actual \
                user_organization_id_organizations_id_fk on (organization_id)
                  [PASS] foreign key references: expected public.organizations(id), actual public.organizations(id)
                  [PASS] foreign key validated: expected validated, actual validated
                  [PASS] foreign key ON DELETE: expected RESTRICT, actual RESTRICT"""
                .formatted(CutoverDatabase.of(database.dataSource()).serverVersion()));
        assertThatThrownBy(report::requirePassed)
                .isInstanceOf(CutoverVerificationException.class)
                .hasMessageEndingWith("The column refuses new NULLs but is not validated yet: remediate the rows written "
                        + "before the NOT VALID constraint until the NULL count is 0, then run the migration (it validates the "
                        + "constraint and finishes), then verify again.");

        database.execute("""
                update "user" set organization_id = 1 where organization_id is null;
                alter table "user" validate constraint user_organization_id_not_null;
                """);
        assertThat(CutoverDatabase.of(database.dataSource()).verify(CUTOVER).passed()).isTrue();
    }

    @Test
    void readsNoTableData() throws Exception {
        TestDatabase database = database("default", TestDatabase::create).execute(RUNBOOK_MIGRATION);
        CutoverDatabase impatient = CutoverDatabase.builder(database.dataSource())
                .probeTimeout(java.time.Duration.ofSeconds(2)).build();
        try (java.sql.Connection holder = database.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("lock table \"user\" in access exclusive mode");
            // Reading the table would wait for this lock and run into the timeout; the catalog answers.
            assertThat(impatient.verify(CUTOVER).passed()).isTrue();
            holder.rollback();
        }
    }
}
