package dev.cutover.flyway;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.testing.TestDatabase;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/** The runbook's cutover and Flyway set-ups shared by the tests. */
final class Runbook {

    static final String FK = "user_organization_id_organizations_id_fk";

    private Runbook() {
    }

    /** {@code public."user".organization_id}, as the runbook describes it. */
    static NotNullCutover cutover() {
        return NotNullCutover.builder("user", "organization_id")
                .references("organizations", "id")
                .onDelete(ReferentialAction.RESTRICT)
                .foreignKey(FK)
                .inspect("id", "email", "created_at")
                .newestFirstBy("created_at")
                .sensitive("email")
                .build();
    }

    /** Flyway on this data source with migrations from {@code classpath:dev/cutover/flyway/<location>}. */
    static FluentConfiguration flyway(DataSource dataSource, String location, Callback... callbacks) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:dev/cutover/flyway/" + location)
                .callbacks(callbacks);
    }

    /** Applies V16 (the runbook's tables), then adds 3 users without an organization and 2 with one. */
    static void tablesWithThreeNullUsers(TestDatabase db, String location) {
        flyway(db.dataSource(), location).target("16").load().migrate();
        db.execute("""
                insert into organizations (name, domain) values ('Acme', 'acme.example');
                insert into "user" (email, created_at, organization_id) values
                    ('ann@example.com', '2026-01-01T10:00:00Z', null),
                    ('bob@example.com', '2026-01-02T10:00:00Z', null),
                    ('cy@example.com',  '2026-01-03T10:00:00Z', null),
                    ('dee@acme.example', '2026-01-04T10:00:00Z', 1),
                    ('eve@acme.example', '2026-01-05T10:00:00Z', 1);
                """);
    }

    /** The {@link CutoverMigrationException} somewhere in the causes, or an assertion error. */
    static CutoverMigrationException cutoverFailure(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof CutoverMigrationException e) {
                return e;
            }
        }
        throw new AssertionError("no CutoverMigrationException in the causes of " + thrown, thrown);
    }

    static long historyRows(TestDatabase db, String version) {
        return db.queryLong("select count(*) from flyway_schema_history where version = '" + version + "'");
    }

    static String isNullable(TestDatabase db) {
        return db.queryString("""
                SELECT is_nullable
                FROM information_schema.columns
                WHERE table_name = 'user' AND column_name = 'organization_id'""");
    }
}
