package dev.cutover.flyway.internal;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.catalog.Names;
import dev.cutover.flyway.CutoverCallback.IncidentOverride;
import java.sql.Connection;
import java.sql.SQLException;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * The {@code cutover_audit} table: one row for every incident override that let a migration
 * take a guarded NOT NULL away. Written through the migration's own connection, so the row
 * commits or rolls back with the migration.
 */
public final class AuditLog {

    /** The table's name. */
    public static final String TABLE = "cutover_audit";

    private static final String CREATE = """
            create table if not exists {0} (
                id bigint generated always as identity primary key,
                recorded_at timestamptz not null default now(),
                database_user text not null default current_user,
                actor text,
                incident text not null,
                reason text not null,
                migration text not null,
                script text,
                checksum integer,
                subject text not null,
                change text not null
            )""";

    private AuditLog() {
    }

    /** The table's DDL in {@code schema}, for the migration role's script. */
    public static String ddl(String schema) {
        return DSL.using(SQLDialect.POSTGRES).render(DSL.query(CREATE, DSL.name(schema, TABLE)));
    }

    /** The grant the runtime role needs on the table: SELECT and INSERT. */
    public static String grant(String schema, String role) {
        return DSL.using(SQLDialect.POSTGRES).render(DSL.query("grant select, insert on {0} to {1}", DSL.name(schema, TABLE),
                DSL.name(role)));
    }

    /**
     * The migration an override let through, as Flyway names it.
     *
     * @param version  its version, or its script when it has none
     * @param script   its script (or class) name
     * @param checksum its checksum; {@code null} for a Java migration without one
     */
    public record Migration(String version, String script, Integer checksum) {
    }

    /**
     * Creates the table if the catalog does not show it (no DDL when it exists, so a table created
     * ahead needs no DDL rights), adds the columns an older table lacks, and records one override.
     */
    public static void record(CutoverDatabase db, String schema, IncidentOverride override, Migration migration, String subject,
                              String change) {
        try (Connection connection = db.dataSource().getConnection()) {
            DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES);
            boolean exists = dsl.fetchOne("""
                    select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p')""", schema, TABLE) != null;
            if (!exists) {
                // Only when the catalog does not show it: a table created ahead needs no DDL rights at run time.
                if (dsl.fetchOne("select 1 from pg_catalog.pg_namespace where nspname = ?", schema) == null) {
                    dsl.createSchemaIfNotExists(DSL.name(schema)).execute();
                }
                dsl.query(CREATE, DSL.name(schema, TABLE)).execute();
            }
            boolean hasChecksum = dsl.fetchOne("""
                    select 1 from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
                    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = ? and c.relname = ? and a.attname = 'checksum' and not a.attisdropped""",
                    schema, TABLE) != null;
            if (!hasChecksum) {
                // A table made by an earlier version: the migration's script and checksum are recorded from now on.
                dsl.query("alter table {0} add column if not exists script text, add column if not exists checksum integer",
                        DSL.name(schema, TABLE)).execute();
            }
            dsl.query("insert into {0} (actor, incident, reason, migration, script, checksum, subject, change) "
                            + "values ({1}, {2}, {3}, {4}, {5}, {6}, {7}, {8})",
                    DSL.name(schema, TABLE), DSL.val(override.actor().orElse(null), String.class), DSL.val(override.incident()),
                    DSL.val(override.reason()), DSL.val(migration.version()), DSL.val(migration.script(), String.class),
                    DSL.val(migration.checksum(), Integer.class), DSL.val(subject), DSL.val(change)).execute();
        } catch (SQLException | DataAccessException e) {
            String state = sqlState(e);
            throw new CutoverDatabaseException("Could not record the incident override in " + Names.display(schema, TABLE)
                    + (state == null ? "" : " (SQLSTATE " + state + ")") + ". The migration is refused until it can be audited.",
                    state, e);
        }
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
