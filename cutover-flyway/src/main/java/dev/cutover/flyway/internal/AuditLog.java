package dev.cutover.flyway.internal;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.internal.PostgresCutoverDatabase;
import dev.cutover.core.internal.Sql;
import dev.cutover.flyway.CutoverCallback.IncidentOverride;
import org.jooq.impl.DSL;

/**
 * The {@code cutover_audit} table: one row for every incident override that let a migration
 * take a guarded NOT NULL away. Written through the migration's own connection, so the row
 * commits or rolls back with the migration.
 */
public final class AuditLog {

    /** The table's name. */
    public static final String TABLE = "cutover_audit";

    private AuditLog() {
    }

    /** Creates the table if it is missing and records one override. */
    public static void record(CutoverDatabase db, String schema, IncidentOverride override, String migration, String subject,
                              String change) {
        PostgresCutoverDatabase postgres = PostgresCutoverDatabase.of(db);
        postgres.ensureStateTable(schema, TABLE, (dsl, s) -> dsl.query("""
                create table if not exists {0} (
                    id bigint generated always as identity primary key,
                    recorded_at timestamptz not null default now(),
                    database_user text not null default current_user,
                    actor text,
                    incident text not null,
                    reason text not null,
                    migration text not null,
                    subject text not null,
                    change text not null
                )""", DSL.name(s, TABLE)).execute());
        Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "record the incident override in "
                + dev.cutover.core.internal.Identifiers.display(schema, TABLE), dsl -> dsl.query(
                "insert into {0} (actor, incident, reason, migration, subject, change) values ({1}, {2}, {3}, {4}, {5}, {6})",
                DSL.name(schema, TABLE), DSL.val(override.actor().orElse(null), String.class), DSL.val(override.incident()),
                DSL.val(override.reason()), DSL.val(migration), DSL.val(subject), DSL.val(change)).execute());
    }
}
