package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.migrate.FlywayFile;
import dev.cutover.core.migrate.MigrationPlan;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.runbook.RunbookSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@link MigrationPlan#flywayFiles} written into a Flyway location and run by Flyway on PostgreSQL 12 and 18. */
class RenderedFlywayFilesTest {

    @TempDir
    Path location;

    @Test
    void namesTheScriptAndItsConfigurationAsFlywayExpects() {
        try (TestDatabase db = TestDatabase.create()) {
            List<FlywayFile> files = planOf(db.runbookSchema()).flywayFiles("17", "user_organization_id_not_null");

            assertThat(files).extracting(FlywayFile::name)
                    .containsExactly("V17__user_organization_id_not_null.sql", "V17__user_organization_id_not_null.sql.conf");
            assertThat(files.get(1).content()).contains("\nexecuteInTransaction=false\n");
            assertThat(planOf(db).flywayFiles("2.1", "user org not null")).extracting(FlywayFile::name)
                    .startsWith("V2.1__user_org_not_null.sql");
            assertThatCode(() -> planOf(db).flywayFiles("V17", "x")).isInstanceOf(CutoverConfigurationException.class)
                    .hasMessageContaining("must look like 17 or 2.1");
            assertThatCode(() -> planOf(db).flywayFiles("17", "a/b")).isInstanceOf(CutoverConfigurationException.class)
                    .hasMessageContaining("Flyway description");
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {12, 18})
    void flywayRunsThemWithShortLockTimeoutsAndTheColumnEndsNotNullWithItsForeignKeyValidated(int major) throws Exception {
        try (TestDatabase db = TestDatabase.embedded(major)) {
            Files.writeString(location.resolve("V16__runbook_tables.sql"), RunbookSchema.DDL);
            Flyway.configure().dataSource(db.dataSource()).locations("filesystem:" + location).load().migrate();
            db.execute("""
                    insert into organizations (name, domain) values ('Acme', 'acme.example');
                    insert into "user" (email, organization_id) select 'u' || g || '@acme.example', 1 from generate_series(1, 500) g;
                    """);
            planOf(db).flywayFiles("17", "user_organization_id_not_null").forEach(f -> f.writeTo(location));

            MigrateResult result;
            try (Connection reader = db.dataSource().getConnection(); Connection writer = db.dataSource().getConnection();
                 Statement read = reader.createStatement(); Statement write = writer.createStatement()) {
                // A long reader holds the table: a DDL statement that waited for it in the lock queue would
                // hold up every writer behind it.
                reader.setAutoCommit(false);
                read.execute("select count(*) from \"user\"");
                CompletableFuture<MigrateResult> migrating = CompletableFuture.supplyAsync(() -> flyway(db).load().migrate());
                waitForAnAttempt(db);
                write.execute("set lock_timeout = '20s'");
                write.execute("insert into \"user\" (email, organization_id) values ('new@acme.example', 1)");
                assertThat(migrating).isNotDone();
                reader.commit();
                result = migrating.get(2, TimeUnit.MINUTES);
            }

            assertThat(result.migrationsExecuted).isOne();
            assertThat(Runbook.isNullable(db)).isEqualTo("NO");
            assertThat(db.queryLong("select count(*) from pg_constraint where conname = '" + Runbook.FK
                    + "' and convalidated and confdeltype = 'r'")).isOne();
            assertThat(db.queryLong("select count(*) from pg_constraint where conrelid = '\"user\"'::regclass and contype = 'c'"))
                    .isZero();
            assertThat(CutoverDatabase.of(db.dataSource()).verify(cutover()).passed()).isTrue();
            assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '17' and success")).isOne();
        }
    }

    @Test
    void theScriptIsIdempotentAndLeavesNoSettingBehind() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            db.runbookSchema();
            String script = planOf(db).flywayFiles("17", "user_organization_id_not_null").get(0).content();
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute(script);
                s.execute(script);
                try (var rs = s.executeQuery("show lock_timeout")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("0");
                }
            }
            assertThat(CutoverDatabase.of(db.dataSource()).verify(cutover()).passed()).isTrue();
        }
    }

    private static MigrationPlan planOf(TestDatabase db) {
        return NotNullMigration.builder(db.cutoverDatabase(), cutover()).build().plan();
    }

    private org.flywaydb.core.api.configuration.FluentConfiguration flyway(TestDatabase db) {
        return Flyway.configure().dataSource(db.dataSource()).locations("filesystem:" + location)
                .callbacks(CutoverCallback.forMigration("17", cutover()).build());
    }

    /** Waits until the migration has asked for a lock on the table at least once (it then backs off and asks again). */
    private static void waitForAnAttempt(TestDatabase db) throws InterruptedException {
        for (int i = 0; i < 3000; i++) {
            if (db.queryLong("select count(*) from flyway_schema_history where version = '17'") == 0
                    && db.queryLong("select count(*) from pg_stat_activity where query like '%DO $cutover$%' and pid <> pg_backend_pid()") > 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the migration did not start");
    }
}
