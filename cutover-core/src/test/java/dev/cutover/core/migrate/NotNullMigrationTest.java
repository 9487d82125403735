package dev.cutover.core.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.core.verify.VerificationReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The zero-downtime sequence on the test server (embedded 18, or the 15 server in CI) and on PostgreSQL 12. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NotNullMigrationTest {

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

    private static TestDatabase database(String key, Supplier<TestDatabase> create) {
        TestDatabase database = DATABASES.computeIfAbsent(key, k -> create.get());
        database.execute("drop table if exists \"user\", organizations cascade");
        database.execute(TestDatabase.RUNBOOK_SCHEMA);
        database.execute("""
                insert into organizations (name) values ('Acme'), ('Globex');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1), ('bob@acme.test', 1), ('cy@globex.test', 2);
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

    private static long foreignKeys(TestDatabase database) {
        return database.queryLong("select count(*) from pg_constraint where conrelid = '\"user\"'::regclass and contype = 'f'");
    }

    private static boolean attNotNull(TestDatabase database) {
        return database.queryString("select attnotnull from pg_attribute where attrelid = '\"user\"'::regclass "
                + "and attname = 'organization_id'").equals("t");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void makesTheColumnNotNullAndAddsTheForeignKeySoVerificationPasses(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        MigrationReport report = NotNullMigration.builder(db, CUTOVER).build().run();

        VerificationReport verified = db.verify(CUTOVER);
        assertThat(verified.passed()).as(verified.render()).isTrue();
        int notNullSteps = db.serverVersion().hasNotNullConstraints() ? 2 : 4;
        assertThat(report.steps()).hasSize(notNullSteps + 2).allSatisfy(step -> {
            assertThat(step.ran()).isTrue();
            assertThat(step.attempts()).isEqualTo(1);
        });
        assertThat(notNullConstraints(database)).isEqualTo(db.serverVersion().hasNotNullConstraints() ? 1 : 0);
        assertThat(foreignKeys(database)).isEqualTo(1);
        assertThat(attNotNull(database)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("servers")
    void keepsTheUsersOwnCheckConstraint(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        assumeTrue(!db.serverVersion().hasNotNullConstraints(), "PostgreSQL 18 takes no CHECK step");
        database.execute("alter table \"user\" add constraint org_present check (organization_id is not null) not valid");

        NotNullMigration.builder(db, CUTOVER).build().run();

        assertThat(db.verify(CUTOVER).passed()).isTrue();
        assertThat(database.queryString("select string_agg(conname, ', ' order by conname) from pg_constraint "
                + "where conrelid = '\"user\"'::regclass and contype = 'c'")).isEqualTo("org_present");
        database.execute("alter table \"user\" drop constraint org_present");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void doesNothingTheSecondTime(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        NotNullMigration migration = NotNullMigration.builder(db, CUTOVER).build();
        migration.run();

        assertThat(migration.plan().complete()).isTrue();
        MigrationReport again = migration.run();
        assertThat(again.ran()).isEmpty();
        assertThat(again.attempts()).isZero();
        assertThat(foreignKeys(database)).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void refusesWhileNullsRemainAndChangesNothing(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                insert into "user" (email) values ('dee@nowhere.test'), ('eve@nowhere.test'), ('fay@nowhere.test')""");
        CutoverDatabase db = database.cutoverDatabase();

        assertThatThrownBy(() -> NotNullMigration.builder(db, CUTOVER).build().run())
                .isInstanceOf(MigrationBlockedException.class)
                .hasMessage("Migration of public.\"user\".organization_id refused: 3 rows in public.\"user\" have organization_id "
                        + "IS NULL. Nothing was changed. Remediate (Remediation.builder(db, cutover)), then run the migration "
                        + "again; do not force-forward.");
        assertThat(notNullConstraints(database)).isZero();
        assertThat(foreignKeys(database)).isZero();
        assertThat(attNotNull(database)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("servers")
    void waitsOutALongTransactionInsteadOfQueueingBehindIt(Supplier<TestDatabase> server) throws Exception {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();
        ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor();
        try (OpenTransaction reader = new OpenTransaction(database, "select * from \"user\" limit 1")) {
            // Released once the migration says it waits for it (a fixed delay raced a slow start on a busy machine);
            // released anyway after a minute, so a migration that never waits fails the assertions below.
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            releaser.schedule(reader::close, 1, TimeUnit.MINUTES);
            MigrationReport report = NotNullMigration.builder(db, CUTOVER).onEvent(e -> {
                events.add(e);
                if (e instanceof MigrationEvent.Waiting && released.compareAndSet(false, true)) {
                    releaser.schedule(reader::close, 300, TimeUnit.MILLISECONDS);
                }
            }).build().run();

            assertThat(events).filteredOn(MigrationEvent.Waiting.class::isInstance)
                    .map(e -> ((MigrationEvent.Waiting) e).blockers())
                    .anySatisfy(blockers -> assertThat(blockers).extracting(Blocker::pid).contains(reader.pid()));
            MigrationReport.StepOutcome first = report.steps().get(0);
            assertThat(first.ran()).isTrue();
            assertThat(first.waited()).isPositive();
            assertThat(db.verify(CUTOVER).passed()).isTrue();
        } finally {
            releaser.shutdownNow();
            assertThat(releaser.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void waitsOutATransactionThatIsActiveNotIdle(Supplier<TestDatabase> server) throws Exception {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();
        ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor();
        // Read the table, then busy in pg_sleep: state 'active'. Ended once the migration says it waits for it, or
        // when the sleep ends, so a migration that never waits queues behind it and fails the assertions below.
        try (SleepingTransaction sleeper = new SleepingTransaction(database, "select count(*) from \"user\"", 8)) {
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            MigrationReport report = NotNullMigration.builder(db, CUTOVER).onEvent(e -> {
                events.add(e);
                if (e instanceof MigrationEvent.Waiting && released.compareAndSet(false, true)) {
                    releaser.schedule(sleeper::close, 300, TimeUnit.MILLISECONDS);
                }
            }).build().run();

            assertThat(events).filteredOn(MigrationEvent.Waiting.class::isInstance)
                    .map(e -> ((MigrationEvent.Waiting) e).blockers())
                    .anySatisfy(blockers -> assertThat(blockers).anySatisfy(b -> {
                        assertThat(b.pid()).isEqualTo(sleeper.pid());
                        assertThat(b.state()).isEqualTo("active");
                        assertThat(b.query()).isEqualTo("select pg_sleep($1)");
                    }));
            MigrationReport.StepOutcome first = report.steps().get(0);
            assertThat(first.ran()).isTrue();
            assertThat(first.waited()).isPositive();
            assertThat(db.verify(CUTOVER).passed()).isTrue();
        } finally {
            releaser.shutdownNow();
            assertThat(releaser.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void retriesAStepWhoseLockTimedOut(Supplier<TestDatabase> server) throws Exception {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();
        List<OpenTransaction> holders = new CopyOnWriteArrayList<>();
        ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor();
        // Right after the first step, a transaction takes the lock the second step needs. It is younger than the lock
        // timeout, so it is not waited for: the second step's first attempt queues, times out, and is retried.
        Consumer<MigrationEvent> blockSecondStep = event -> {
            if (event instanceof MigrationEvent.Done && holders.isEmpty()) {
                OpenTransaction holder = new OpenTransaction(database, "lock table \"user\" in share update exclusive mode");
                holders.add(holder);
                releaser.schedule(holder::close, 3, TimeUnit.SECONDS);
            }
        };
        try {
            MigrationReport report = NotNullMigration.builder(db, CUTOVER).lockTimeout(Duration.ofSeconds(2))
                    .onEvent(blockSecondStep).onEvent(events::add).build().run();

            assertThat(events).filteredOn(MigrationEvent.Retrying.class::isInstance).first()
                    .isInstanceOfSatisfying(MigrationEvent.Retrying.class, retry -> {
                        assertThat(retry.step()).isEqualTo(report.steps().get(1).name());
                        assertThat(retry.attempt()).isEqualTo(1);
                        assertThat(retry.sqlState()).isEqualTo("55P03");
                    });
            assertThat(report.steps().get(1).attempts()).isGreaterThan(1);
            // The failed attempt sat in the lock queue for its whole lock_timeout: that is waiting too, besides the backoff.
            Duration backoff = events.stream().filter(MigrationEvent.Retrying.class::isInstance)
                    .map(e -> ((MigrationEvent.Retrying) e).backoff()).reduce(Duration.ZERO, Duration::plus);
            assertThat(report.steps().get(1).waited()).isGreaterThanOrEqualTo(backoff.plus(Duration.ofSeconds(2)));
            assertThat(db.verify(CUTOVER).passed()).isTrue();
        } finally {
            releaser.shutdown();
            assertThat(releaser.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            holders.forEach(OpenTransaction::close);
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void failsAtTheDeadlineNamingTheTransactionThatHoldsTheTable(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        try (OpenTransaction reader = new OpenTransaction(database, "select * from \"user\" limit 1")) {
            NotNullMigration migration = NotNullMigration.builder(db, CUTOVER).deadline(Duration.ofSeconds(2)).build();

            boolean pg18 = db.serverVersion().hasNotNullConstraints();
            assertThatThrownBy(migration::run)
                    .isInstanceOfSatisfying(MigrationTimeoutException.class, e -> {
                        assertThat(e.blockers()).extracting(Blocker::pid).containsExactly(reader.pid());
                        assertThat(e.blockers().get(0).state()).isEqualTo("idle in transaction");
                        assertThat(e.blockers().get(0).query()).isEqualTo("select * from \"user\" limit $1");
                        assertThat(e.getMessage().replace("pid " + reader.pid() + " ", "pid <pid> ")
                                .replaceAll("idle in transaction for [0-9]+\\.[0-9] s", "idle in transaction for <t> s"))
                                .isEqualTo("Migration of public.\"user\".organization_id stopped at step 1 of " + (pg18 ? 4 : 6)
                                        + " (" + (pg18 ? "add NOT NULL constraint on organization_id NOT VALID"
                                                : "add CHECK (organization_id IS NOT NULL) NOT VALID")
                                        + ", ACCESS EXCLUSIVE lock): the deadline of 2 s passed while other transactions held "
                                        + "public.\"user\" (lock_timeout 50 ms). Blocking backends, longest first:\n"
                                        + "  pid <pid> (application_name 'PostgreSQL JDBC Driver', idle in transaction for <t> s, "
                                        + "holds AccessShareLock): select * from \"user\" limit $1\n"
                                        + "This step changed nothing; the steps before it are done and will be skipped. End or "
                                        + "wait out those transactions (pg_cancel_backend or pg_terminate_backend(pid) if they are "
                                        + "stuck), or allow a longer deadline, then run the migration again.");
                    });
        }
        assertThat(notNullConstraints(database)).isZero();
        assertThat(attNotNull(database)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("servers")
    void stopsWhenNullsAppearDuringTheMigrationAndKeepsRefusingNewOnes(Supplier<TestDatabase> server) throws Exception {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        String constraint = db.serverVersion().hasNotNullConstraints() ? "user_organization_id_not_null"
                : "user_organization_id_cutover_not_null";
        ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor();
        try (OpenTransaction reader = new OpenTransaction(database, "select * from \"user\" limit 1")) {
            releaser.schedule(reader::close, 1, TimeUnit.SECONDS);
            // While the first step waits for the reader, after the check for NULL rows, a NULL row is written.
            NotNullMigration migration = NotNullMigration.builder(db, CUTOVER).onEvent(event -> {
                if (event instanceof MigrationEvent.Waiting) {
                    database.execute("insert into \"user\" (email) values ('late@nowhere.test')");
                }
            }).build();

            assertThatThrownBy(migration::run)
                    .isInstanceOf(MigrationBlockedException.class)
                    .hasMessage("NULLs appeared during the migration of public.\"user\".organization_id: remediate and re-run. "
                            + "VALIDATE CONSTRAINT " + constraint + " found rows in public.\"user\" with "
                            + "organization_id IS NULL, written after the check before the first step. The NOT VALID constraint "
                            + constraint + " stays in place, so new NULLs are refused meanwhile; remediate the "
                            + "existing rows, then run the migration again: the steps done are skipped.");
        } finally {
            releaser.shutdown();
            assertThat(releaser.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThatThrownBy(() -> database.execute("insert into \"user\" (email) values ('later@nowhere.test')"))
                .hasStackTraceContaining("organization_id").hasStackTraceContaining("violates");

        database.execute("update \"user\" set organization_id = 2 where organization_id is null");
        MigrationReport report = NotNullMigration.builder(db, CUTOVER).build().run();
        assertThat(report.steps().get(0).ran()).isFalse();
        assertThat(db.verify(CUTOVER).passed()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("servers")
    void resumesAfterAnyStep(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        int steps = NotNullMigration.builder(db, CUTOVER).build().plan().steps().size();
        for (int done = 1; done < steps; done++) {
            database.execute("drop table if exists \"user\", organizations cascade").execute(TestDatabase.RUNBOOK_SCHEMA).execute("""
                    insert into organizations (name) values ('Acme');
                    insert into "user" (email, organization_id) values ('ann@acme.test', 1);
                    """);
            CutoverDatabase fresh = database.cutoverDatabase();
            NotNullMigration migration = NotNullMigration.builder(fresh, CUTOVER).build();
            assertThat(migration.run(done).ran()).hasSize(done);

            MigrationReport rest = migration.run();
            assertThat(rest.ran()).as("after %d steps", done).hasSize(steps - done);
            assertThat(fresh.verify(CUTOVER).passed()).isTrue();
            assertThat(notNullConstraints(database)).isEqualTo(fresh.serverVersion().hasNotNullConstraints() ? 1 : 0);
            assertThat(foreignKeys(database)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("servers")
    void finishesAConstraintAddedByHand(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        database.execute(db.serverVersion().hasNotNullConstraints()
                ? "alter table \"user\" add constraint user_org_nn not null organization_id not valid"
                : "alter table \"user\" add constraint user_org_nn check (organization_id is not null) not valid");

        MigrationPlan plan = NotNullMigration.builder(db, CUTOVER).build().plan();
        assertThat(plan.steps().get(0).done()).isTrue();
        assertThat(plan.steps().get(1).sql()).isEqualTo("ALTER TABLE \"public\".\"user\" VALIDATE CONSTRAINT \"user_org_nn\"");
        NotNullMigration.builder(db, CUTOVER).build().run();

        assertThat(db.verify(CUTOVER).passed()).isTrue();
        // The constraint added by hand stays (on 12 to 17 a CHECK of the user's is not the library's to drop).
        assertThat(notNullConstraints(database)).isOne();
        database.execute("alter table \"user\" drop constraint user_org_nn");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void refusesAForeignKeyWithAnotherActionUnlessToldToReplaceIt(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                alter table "user" add constraint user_organization_id_organizations_id_fk
                  foreign key (organization_id) references organizations (id) on delete cascade""");
        CutoverDatabase db = database.cutoverDatabase();

        assertThatThrownBy(() -> NotNullMigration.builder(db, CUTOVER).build().run())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Existing foreign key user_organization_id_organizations_id_fk on (organization_id) references "
                        + "public.organizations(id) ON DELETE CASCADE, but the cutover of public.\"user\".organization_id expects "
                        + "user_organization_id_organizations_id_fk referencing public.organizations(id) ON DELETE RESTRICT. "
                        + "Nothing was changed. Drop it yourself, or build the migration with replaceForeignKey(true) to drop it "
                        + "in the same short transaction that adds the expected foreign key.");
        assertThat(attNotNull(database)).isFalse();

        NotNullMigration.builder(db, CUTOVER).replaceForeignKey(true).build().run();
        VerificationReport verified = db.verify(CUTOVER);
        assertThat(verified.passed()).as(verified.render()).isTrue();
        assertThat(foreignKeys(database)).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void refusesWhenItsConstraintNameIsTakenByAnotherConstraint(Supplier<TestDatabase> server) {
        TestDatabase database = server.get();
        CutoverDatabase db = database.cutoverDatabase();
        String name = db.serverVersion().hasNotNullConstraints() ? "user_organization_id_not_null"
                : "user_organization_id_cutover_not_null";
        database.execute("alter table \"user\" add constraint " + name + " check (email <> '')");

        assertThatThrownBy(() -> NotNullMigration.builder(db, CUTOVER).build().plan())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Constraint " + name + " already exists on public.\"user\" but is not the one the "
                        + "migration of public.\"user\".organization_id needs. Nothing was changed. Rename or drop it, then run "
                        + "the migration again.");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void replacesAForeignKeyWithAnotherNameAndTarget(Supplier<TestDatabase> server) {
        TestDatabase database = server.get().execute("""
                create table teams (id bigint primary key);
                insert into teams values (1), (2);
                alter table "user" add constraint user_team_fk foreign key (organization_id) references teams (id)""");
        CutoverDatabase db = database.cutoverDatabase();
        NotNullMigration migration = NotNullMigration.builder(db, CUTOVER).replaceForeignKey(true).build();

        MigrationStep add = migration.plan().steps().get(migration.plan().steps().size() - 2);
        assertThat(add.sql()).isEqualTo("ALTER TABLE \"public\".\"user\" DROP CONSTRAINT \"user_team_fk\", ADD CONSTRAINT "
                + "\"user_organization_id_organizations_id_fk\" FOREIGN KEY (\"organization_id\") REFERENCES "
                + "\"public\".\"organizations\" (\"id\") ON DELETE RESTRICT NOT VALID");
        assertThat(add.lockLevel()).isEqualTo(LockLevel.ACCESS_EXCLUSIVE);
        migration.run();

        assertThat(db.verify(CUTOVER).passed()).isTrue();
        assertThat(foreignKeys(database)).isEqualTo(1);
        database.execute("drop table teams");
    }

    @ParameterizedTest
    @MethodSource("servers")
    void finishesWhenFourSessionsRunItAtOnce(Supplier<TestDatabase> server) throws Exception {
        TestDatabase database = server.get();
        int sessions = 4;
        CountDownLatch ready = new CountDownLatch(sessions);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            Thread t = new Thread(() -> {
                try {
                    NotNullMigration migration = NotNullMigration.builder(database.cutoverDatabase(), CUTOVER).build();
                    ready.countDown();
                    ready.await();
                    migration.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(2));
        }

        assertThat(failures).isEmpty();
        CutoverDatabase db = database.cutoverDatabase();
        assertThat(db.verify(CUTOVER).passed()).isTrue();
        assertThat(notNullConstraints(database)).isEqualTo(db.serverVersion().hasNotNullConstraints() ? 1 : 0);
        assertThat(foreignKeys(database)).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void keepsConstraintNamesWithin63BytesAndQuotesEveryName(Supplier<TestDatabase> server) {
        String table = "Members of the board, and everyone else who signed up — 2026";
        TestDatabase database = server.get().execute("create table \"" + table + "\" (id bigint primary key, \"Org ID\" bigint);"
                + "insert into \"" + table + "\" values (1, 1), (2, 1)");
        CutoverDatabase db = database.cutoverDatabase();
        NotNullCutover cutover = NotNullCutover.builder(table, "Org ID").references("organizations", "id").build();
        NotNullMigration migration = NotNullMigration.builder(db, cutover).build();

        assertThat(migration.plan().steps().get(0).sql())
                .containsPattern("ADD CONSTRAINT \"Members of the board, and everyone else who [^\"]*_[0-9a-f]{8}\"");
        migration.run();

        VerificationReport verified = db.verify(cutover);
        assertThat(verified.passed()).as(verified.render()).isTrue();
        assertThat(database.queryLong("select count(*) from pg_constraint where conrelid = '\"" + table + "\"'::regclass "
                + "and octet_length(conname) <= 63 and contype in ('f', 'n') and conkey = array[(select attnum from pg_attribute "
                + "where attrelid = conrelid and attname = 'Org ID')]"))
                .isEqualTo(db.serverVersion().hasNotNullConstraints() ? 2 : 1);
        database.execute("drop table \"" + table + "\"");
    }

    @Test
    void refusesAForeignKeyOnAPartitionedTableBeforePostgres18() {
        try (TestDatabase database = TestDatabase.embedded(12)) {
            database.execute("""
                    create table organizations (id bigint primary key);
                    create table member (id bigint primary key, organization_id bigint) partition by range (id);
                    create table member_1 partition of member for values from (0) to (1000);
                    """);
            NotNullCutover cutover = NotNullCutover.builder("member", "organization_id").references("organizations", "id").build();

            assertThatThrownBy(() -> NotNullMigration.builder(database.cutoverDatabase(), cutover).build().run())
                    .isInstanceOf(CutoverConfigurationException.class)
                    .hasMessage("Foreign key member_organization_id_fkey cannot be added NOT VALID to public.member: it is a "
                            + "partitioned table, and PostgreSQL 12 would validate the foreign key while holding a lock that stops "
                            + "writes (NOT VALID foreign keys on partitioned tables need PostgreSQL 18). Nothing was changed. Add "
                            + "the foreign key to each partition NOT VALID and validate it there, then attach it to the parent, or "
                            + "add it in a maintenance window.");
            assertThat(database.queryLong("select count(*) from pg_constraint where conrelid = 'member'::regclass and contype = 'c'"))
                    .isZero();
        }
    }

    @Test
    void makesAPartitionedTableColumnNotNull() {
        try (TestDatabase database = TestDatabase.embedded(12)) {
            database.execute("""
                    create table member (id bigint primary key, organization_id bigint) partition by range (id);
                    create table member_1 partition of member for values from (0) to (1000);
                    insert into member values (1, 1), (2, 2);
                    """);
            NotNullCutover cutover = NotNullCutover.builder("member", "organization_id").build();
            CutoverDatabase db = database.cutoverDatabase();

            NotNullMigration.builder(db, cutover).build().run();
            assertThat(db.verify(cutover).passed()).isTrue();
            assertThat(database.queryString("select attnotnull from pg_attribute where attrelid = 'member_1'::regclass "
                    + "and attname = 'organization_id'")).isEqualTo("t");
        }
    }

    @Test
    void checksItsSettings() {
        try (TestDatabase database = TestDatabase.create()) {
            database.runbookSchema();
            NotNullMigration.Builder builder = NotNullMigration.builder(database.cutoverDatabase(), CUTOVER);
            assertThatThrownBy(() -> builder.lockTimeout(Duration.ZERO))
                    .isInstanceOf(CutoverConfigurationException.class)
                    .hasMessage("lockTimeout must be between 1ms and 1m, but was 0s");
            assertThatThrownBy(() -> builder.deadline(Duration.ofDays(2)))
                    .isInstanceOf(CutoverConfigurationException.class)
                    .hasMessage("deadline must be between 1ms and 24h, but was 48h");
            assertThatThrownBy(() -> builder.lockTimeout(Duration.ofSeconds(5)).deadline(Duration.ofSeconds(1)).build())
                    .isInstanceOf(CutoverConfigurationException.class)
                    .hasMessage("deadline (PT1S) must not be shorter than lockTimeout (PT5S)");
        }
    }
}
