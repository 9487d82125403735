package dev.cutover.core.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The migration run by the table's owner, a role that is not superuser: it sees other roles'
 * sessions without their transaction's start, and a reader of one partition only locks that
 * partition. Both are waited out rather than queued behind again and again.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NonSuperuserWaitTest {

    private TestDatabase database;
    private String role;
    private CutoverDatabase asOwner;

    @BeforeEach
    void roleOwningTheTables() {
        database = TestDatabase.create();
        role = "cutover_owner_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        database.execute("create role " + role + " login password 'owner-pw' nosuperuser");
        database.execute("grant create, usage on schema public to " + role);
        database.execute("set role " + role + "; " + TestDatabase.RUNBOOK_SCHEMA + """
                ; insert into organizations (name) values ('Acme');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1), ('bob@acme.test', 1);
                create table event (region int not null, organization_id bigint) partition by list (region);
                create table event_eu partition of event for values in (1);
                create table event_us partition of event for values in (2);
                insert into event values (1, 1), (2, 1);
                reset role""");
        PGSimpleDataSource owner = new PGSimpleDataSource();
        owner.setURL(database.jdbcUrl());
        owner.setUser(role);
        owner.setPassword("owner-pw");
        asOwner = CutoverDatabase.of(owner);
    }

    @AfterEach
    void dropRole() {
        database.close();
        try (TestDatabase other = TestDatabase.create()) {
            other.execute("drop role if exists " + role);
        }
    }

    private MigrationReport runWhileHeld(NotNullCutover cutover, String readerSql, List<MigrationEvent> events) throws Exception {
        return runWhileHeld(cutover, () -> new OpenTransaction(database, readerSql), events);
    }

    private MigrationReport runWhileHeld(NotNullCutover cutover, Supplier<TableHolder> holder, List<MigrationEvent> events)
            throws Exception {
        ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor();
        try (TableHolder reader = holder.get()) {
            // Released once the migration reports waiting for it (or after a minute, when it never does).
            releaser.schedule(reader::close, 1, TimeUnit.MINUTES);
            MigrationReport report = NotNullMigration.builder(asOwner, cutover).onEvent(events::add).onEvent(event -> {
                if (event instanceof MigrationEvent.Waiting waiting
                        && waiting.blockers().stream().anyMatch(b -> b.pid() == reader.pid())) {
                    releaser.schedule(reader::close, 200, TimeUnit.MILLISECONDS);
                }
            }).build().run();
            assertThat(events).filteredOn(MigrationEvent.Waiting.class::isInstance)
                    .map(e -> ((MigrationEvent.Waiting) e).blockers())
                    .anySatisfy(blockers -> assertThat(blockers).extracting(Blocker::pid).contains(reader.pid()));
            return report;
        } finally {
            releaser.shutdownNow();
            assertThat(releaser.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
    }

    @Test
    void waitsOutAnotherRolesTransactionWhoseAgeItCannotSee() throws Exception {
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();
        NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").references("organizations", "id").build();

        MigrationReport report = runWhileHeld(cutover, "select * from \"user\" limit 1", events);

        assertThat(report.steps().get(0).attempts()).isOne();
        assertThat(events).filteredOn(MigrationEvent.Retrying.class::isInstance).isEmpty();
        assertThat(asOwner.verify(cutover).passed()).isTrue();
    }

    @Test
    void waitsOutAReaderOfOnePartition() throws Exception {
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();
        NotNullCutover cutover = NotNullCutover.builder("event", "organization_id").key("region").build();

        MigrationReport report = runWhileHeld(cutover, "select * from event_us limit 1", events);

        assertThat(report.steps().get(0).attempts()).isOne();
        assertThat(asOwner.verify(cutover).passed()).isTrue();
    }

    @Test
    void waitsOutAnotherRolesActiveTransactionOnOnePartition() throws Exception {
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();
        NotNullCutover cutover = NotNullCutover.builder("event", "organization_id").key("region").build();

        MigrationReport report = runWhileHeld(cutover,
                () -> new SleepingTransaction(database, "select count(*) from event_us", 8), events);

        assertThat(report.steps().get(0).waited()).isPositive();
        assertThat(asOwner.verify(cutover).passed()).isTrue();
    }

    @Test
    void waitsOutAnotherRolesActiveTransaction() throws Exception {
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();
        NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").references("organizations", "id").build();

        MigrationReport report = runWhileHeld(cutover,
                () -> new SleepingTransaction(database, "select count(*) from \"user\"", 8), events);

        assertThat(report.steps().get(0).waited()).isPositive();
        assertThat(asOwner.verify(cutover).passed()).isTrue();
    }
}
