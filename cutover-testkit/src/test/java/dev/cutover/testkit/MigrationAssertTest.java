package dev.cutover.testkit;

import static dev.cutover.testkit.CutoverAssertions.assertThatMigration;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.NotNullCutover;
import dev.cutover.flyway.CutoverCallback;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

@CutoverTest(flywayLocations = "classpath:db/example")
class MigrationAssertTest {

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id").build();
    static final NotNullCutover OTHER = NotNullCutover.builder("organizations", "domain").build();

    private static Flyway guarded(TestDatabase db) {
        return db.flyway().callbacks(CutoverCallback.forMigration("2", CUTOVER).build()).load();
    }

    @Test
    void blockedByNullsWithTheirCount(TestDatabase db) {
        db.execute("drop schema public cascade; create schema public");
        db.flyway().target("1").load().migrate();
        db.fixtures().insertNullRows(CUTOVER, 3, Map.of("email", "legacy-{n}@acme.test"));

        assertThatMigration(guarded(db)).isBlockedByNulls(CUTOVER).withNullCount(3);

        assertThatThrownBy(() -> assertThatMigration(guarded(db)).isBlockedByNulls(CUTOVER).withNullCount(2))
                .hasMessageStartingWith("\nExpecting the migration to be blocked by 2 NULL rows, but it was blocked by 3:\n"
                        + "  Migration 2 blocked: 3 rows in public.\"user\" have organization_id IS NULL (baseline 0).");
        assertThatThrownBy(() -> assertThatMigration(guarded(db)).succeeds())
                .hasMessageStartingWith("\nExpecting the migration to succeed, but it failed:\n")
                .cause().isInstanceOf(FlywayException.class)
                .hasMessageContaining("Migration 2 blocked: 3 rows in public.\"user\" have organization_id IS NULL");

        db.execute("insert into organizations (name, domain) select 'Acme', 'acme.test' where not exists (select 1 from organizations)");
        db.execute("update \"user\" set organization_id = (select min(id) from organizations)");
        assertThatThrownBy(() -> assertThatMigration(guarded(db)).isBlockedByNulls(CUTOVER))
                .hasMessage("\nExpecting the migration to be blocked by NULLs in public.\"user\".organization_id, "
                        + "but it succeeded (1 migrations applied)");
    }

    @Test
    void blockedByAnotherCutoverIsNotThisOne(TestDatabase db) {
        db.execute("drop schema public cascade; create schema public");
        db.flyway().target("1").load().migrate();
        db.fixtures().insertNullRows(CUTOVER, 1, Map.of("email", "legacy-{n}@acme.test"));
        assertThatThrownBy(() -> assertThatMigration(guarded(db)).isBlockedByNulls(OTHER))
                .hasMessageStartingWith("\nExpecting the migration to be blocked by NULLs in public.organizations.domain, "
                        + "but it was blocked by another cutover:\n  Migration 2 blocked: 1 row in public.\"user\" has")
                .cause().hasMessageContaining("Migration 2 blocked: 1 row in public.\"user\" has");
    }

    @Test
    void aMigrationFailingOtherwiseKeepsItsCause(TestDatabase db) {
        db.execute("drop schema public cascade; create schema public; create table organizations (id bigint)");

        assertThatThrownBy(() -> assertThatMigration(db.flyway().load()).isBlockedByNulls(CUTOVER))
                .hasMessageStartingWith("\nExpecting the migration to be blocked by NULLs in public.\"user\".organization_id, "
                        + "but it failed otherwise:\n")
                .cause().isInstanceOf(FlywayException.class).hasMessageContaining("Found non-empty schema(s) \"public\"");
    }
}
