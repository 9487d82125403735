package dev.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.testing.LockHolder;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NullProbeTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().cutoverDatabase());
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .references("organizations", "id")
            .inspect("id", "email", "created_at")
            .newestFirstBy("created_at")
            .sensitive("email")
            .build();

    @BeforeEach
    void rows() {
        database.execute("""
                truncate "user", organizations restart identity;
                drop index if exists cutover_user_organization_id_null;
                insert into organizations (name, domain) values ('Acme', 'acme.test');
                insert into "user" (email, created_at, organization_id) values
                  ('ann@acme.test', '2026-01-01T10:00:00Z', 1),
                  ('bob@acme.test', '2026-01-02T10:00:00Z', null),
                  ('jane@example.com', '2026-01-03T10:00:00Z', null),
                  ('carl@acme.test', '2026-01-04T10:00:00Z', 1);
                """);
    }

    @Test
    void countsNullRows() {
        assertThat(db.probe(CUTOVER).count()).isEqualTo(2);
        assertThat(db.probe(CUTOVER).exists()).isTrue();
    }

    @Test
    void noNullRows() {
        database.execute("update \"user\" set organization_id = 1");
        assertThat(db.probe(CUTOVER).count()).isZero();
        assertThat(db.probe(CUTOVER).exists()).isFalse();
    }

    @Test
    void samplesNewestFirstWithSensitiveColumnsMasked() {
        List<NullRow> rows = db.probe(CUTOVER).sample(200);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).key()).containsEntry("id", 3L);
        assertThat(rows.get(0).columns()).containsOnlyKeys("id", "email", "created_at")
                .containsEntry("email", "j***@example.com");
        assertThat(rows.get(1).columns()).containsEntry("email", "b***@acme.test");
        assertThat(db.probe(CUTOVER).sample(1)).hasSize(1);
    }

    @Test
    void sampleLimitIsChecked() {
        assertThatThrownBy(() -> db.probe(CUTOVER).sample(0))
                .hasMessage("limit must be between 1 and 10000, but was 0");
    }

    @Test
    void createsThePartialIndexOnceAndFindsIt() {
        NullProbe probe = db.probe(CUTOVER);
        assertThat(probe.nullIndex()).isEmpty();
        assertThat(probe.createNullIndex()).isEqualTo("cutover_user_organization_id_null");
        assertThat(probe.createNullIndex()).isEqualTo("cutover_user_organization_id_null");
        assertThat(probe.nullIndex()).contains("cutover_user_organization_id_null");
        assertThat(database.queryString("""
                select pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid
                where c.relname = 'cutover_user_organization_id_null'"""))
                .isEqualTo("CREATE INDEX cutover_user_organization_id_null ON public.\"user\" USING btree (id) WHERE (organization_id IS NULL)");
    }

    @Test
    void replacesAnInvalidIndexLeftByAnInterruptedBuild() {
        database.execute("""
                create index cutover_user_organization_id_null on "user" (id) where organization_id is null;
                update pg_index set indisvalid = false where indexrelid = 'cutover_user_organization_id_null'::regclass;
                """);
        NullProbe probe = db.probe(CUTOVER);
        assertThat(probe.nullIndex()).isEmpty();
        probe.createNullIndex();
        assertThat(probe.nullIndex()).contains("cutover_user_organization_id_null");
    }

    @Test
    void probeRunsUnderItsStatementTimeout() {
        database.execute("create table slow (id bigint primary key, v int)");
        database.execute("insert into slow select g, null from generate_series(1, 10) g");
        CutoverDatabase impatient = CutoverDatabase.builder(database.dataSource()).probeTimeout(Duration.ofMillis(50)).build();
        NotNullCutover slow = NotNullCutover.builder("slow", "v").build();
        // A lock held elsewhere makes the count wait; the statement_timeout ends the wait.
        try (var holder = new LockHolder(database, "lock table slow in access exclusive mode")) {
            assertThatThrownBy(() -> impatient.probe(slow).count())
                    .isInstanceOf(CutoverDatabaseException.class)
                    .hasMessageStartingWith("Could not count NULL rows of public.slow.v (SQLSTATE 57014): ERROR: canceling statement due to statement timeout")
                    .satisfies(e -> assertThat(((CutoverDatabaseException) e).sqlState()).contains("57014"));
        }
        assertThat(impatient.probe(slow).count()).isEqualTo(10);
    }

    @Test
    void validatedNotNullIsAnsweredFromTheCatalog() {
        database.execute("update \"user\" set organization_id = 1; alter table \"user\" alter column organization_id set not null");
        try (var holder = new LockHolder(database, "lock table \"user\" in access exclusive mode")) {
            // Reading the table would wait for the lock; the catalog answers at once.
            CutoverDatabase impatient = CutoverDatabase.builder(database.dataSource()).probeTimeout(Duration.ofMillis(200)).build();
            assertThat(impatient.probe(CUTOVER).exists()).isFalse();
            assertThat(impatient.probe(CUTOVER).count()).isZero();
        } finally {
            database.execute("alter table \"user\" alter column organization_id drop not null");
        }
    }
}
