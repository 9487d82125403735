package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.runbook.RunbookSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runbook's plain V17 ({@code SET NOT NULL} and a validating {@code ADD FOREIGN KEY} in one
 * transaction) on a table above the limit: refused before it runs, with its replacement printed,
 * and that replacement, written as printed, migrates.
 */
class BlockingScriptTest {

    private static final String PLAIN_V17 = """
            -- The runbook's migration: every user belongs to an organization.
            ALTER TABLE "user" ALTER COLUMN organization_id SET NOT NULL;

            ALTER TABLE "user"
                ADD CONSTRAINT user_organization_id_organizations_id_fk
                FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE RESTRICT;
            """;
    private static final Pattern FILE = Pattern.compile("\\n\\n----- (\\S+) -----\\n");

    @TempDir
    Path location;

    private TestDatabase db;

    @BeforeEach
    void tablesWithThirtyThousandUsers() throws Exception {
        db = TestDatabase.create();
        Files.writeString(location.resolve("V16__runbook_tables.sql"), RunbookSchema.DDL);
        Flyway.configure().dataSource(db.dataSource()).locations("filesystem:" + location).load().migrate();
        db.execute("""
                insert into organizations (name, domain) values ('Acme', 'acme.example');
                insert into "user" (email, organization_id) select 'u' || g || '@acme.example', 1 from generate_series(1, 30000) g;
                """);
        assertThat(db.queryLong("select pg_relation_size('\"user\"')")).isGreaterThan(BlockingScriptCheck.DEFAULT_LIMIT_BYTES);
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void refusesThePlainScriptBeforeItRunsAndPrintsTheReplacementThatThenMigrates() throws Exception {
        Files.writeString(location.resolve("V17__user_org_not_null.sql"), PLAIN_V17);

        Throwable thrown = catchThrowable(() -> flyway().migrate());

        CutoverMigrationException refused = cutoverFailure(thrown);
        assertThat(refused.reason()).isEqualTo(CutoverMigrationException.Reason.BLOCKING_SCRIPT);
        assertThat(refused.migration()).isEqualTo("17");
        assertThat(refused.getMessage())
                .startsWith("Migration 17 (V17__user_org_not_null.sql) refused before it took any lock: public.\"user\" holds ")
                .contains("ALTER COLUMN organization_id SET NOT NULL", "ADD FOREIGN KEY without NOT VALID", "Nothing was changed.",
                        "----- V17__user_org_not_null.sql -----", "----- V17__user_org_not_null.sql.conf -----",
                        "executeInTransaction=false");
        assertThat(Runbook.historyRows(db, "17")).isZero();
        assertThat(Runbook.isNullable(db)).isEqualTo("YES");
        assertThat(db.queryLong("select count(*) from pg_constraint where conrelid = '\"user\"'::regclass and contype in ('c', 'f')"))
                .isZero();

        // The replacement, written exactly as printed, in place of the plain script.
        String message = refused.getMessage();
        Matcher files = FILE.matcher(message);
        Files.delete(location.resolve("V17__user_org_not_null.sql"));
        int written = 0;
        int start = -1;
        String name = null;
        while (true) {
            boolean more = files.find();
            if (name != null) {
                Files.writeString(location.resolve(name), message.substring(start, more ? files.start() : message.length()));
                written++;
            }
            if (!more) {
                break;
            }
            name = files.group(1);
            start = files.end();
        }
        assertThat(written).isEqualTo(2);

        assertThat(flyway().migrate().migrationsExecuted).isOne();
        assertThat(Runbook.isNullable(db)).isEqualTo("NO");
        assertThat(CutoverDatabase.of(db.dataSource()).verify(cutover()).passed()).isTrue();
    }

    @Test
    void letsThePlainScriptRunBelowTheLimit() throws Exception {
        Files.writeString(location.resolve("V17__user_org_not_null.sql"), PLAIN_V17);

        Flyway flyway = Flyway.configure().dataSource(db.dataSource()).locations("filesystem:" + location)
                .callbacks(CutoverCallback.forMigration("17", cutover()).blockingScriptLimit(1L << 30).build()).load();

        assertThat(flyway.migrate().migrationsExecuted).isOne();
        assertThat(Runbook.isNullable(db)).isEqualTo("NO");
    }

    @Test
    void letsTheRenderedFilesRunWhateverTheSize() {
        dev.cutover.core.migrate.NotNullMigration.builder(db.cutoverDatabase(), cutover()).build().plan()
                .flywayFiles("17", "user_organization_id_not_null").forEach(f -> f.writeTo(location));

        assertThat(Flyway.configure().dataSource(db.dataSource()).locations("filesystem:" + location)
                .callbacks(CutoverCallback.forMigration("17", cutover()).blockingScriptLimit(0).build()).load()
                .migrate().migrationsExecuted).isOne();
        assertThat(Runbook.isNullable(db)).isEqualTo("NO");
    }

    private Flyway flyway() {
        return Flyway.configure().dataSource(db.dataSource()).locations("filesystem:" + location)
                .callbacks(CutoverCallback.forMigration("17", cutover()).build()).load();
    }
}
