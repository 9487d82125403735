package dev.cutover.core;

import dev.cutover.core.catalog.Names;
import dev.cutover.core.gate.Observations;
import dev.cutover.core.remediation.Remediation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jooq.impl.DSL;

/**
 * The SQL that creates cutover's state tables ahead, for teams whose application runs as a
 * role without DDL rights: the migration role runs {@link #script(String)} once (e.g. as a
 * Flyway or Liquibase migration), a DBA runs {@link #grants(String, String)} for the runtime
 * role, and from then on the monitor, the preflight and remediation use only SELECT, INSERT
 * and UPDATE: they read the catalog first and run no DDL when the tables exist.
 *
 * <pre>{@code
 * Files.writeString(Path.of("V15__cutover_state.sql"), StateTables.script("public"));
 * String grants = StateTables.grants("public", "app_runtime");
 * }</pre>
 *
 * The tables, in the state schema ({@code CutoverDatabase.builder(...).stateSchema(...)},
 * default the cutover's own schema): {@code cutover_observation} (the monitor's observations),
 * {@code cutover_gate} (the latch every monitor of a cutover shares), {@code cutover_smoke} (the
 * post-migration smoke latch, {@code dev.cutover.core.gate.SmokeLatch}), {@code cutover_journal_batch}
 * with view {@code cutover_journal} (the remediation journal) and {@code cutover_remediation_run}
 * (each remediation run's start, resumes and end). The Flyway callback's audit
 * table is added by {@code dev.cutover.flyway.FlywayStateTables}.
 */
public final class StateTables {

    private StateTables() {
    }

    /**
     * The statements creating every state table of core in {@code schema} (each {@code if not
     * exists}), in the order to run them.
     *
     * @throws CutoverConfigurationException when the schema name is empty or too long
     */
    public static List<String> statements(String schema) {
        String checked = Names.require("schema", schema);
        List<String> all = new ArrayList<>();
        all.add(Sql.render("create schema if not exists {0}", checked));
        all.addAll(Observations.ddl(checked));
        all.addAll(Remediation.journalDdl(checked));
        return List.copyOf(all);
    }

    /** {@link #statements(String)} as one script, each statement ending in {@code ;}. */
    public static String script(String schema) {
        return join(statements(schema));
    }

    /**
     * The grants the runtime role needs on the tables of {@link #script(String)}: USAGE on the
     * schema; SELECT, INSERT on {@code cutover_observation}; SELECT, INSERT, UPDATE on
     * {@code cutover_gate} (each evaluation locks and updates its row) and on {@code cutover_smoke}; SELECT, INSERT on
     * {@code cutover_journal_batch}, SELECT on {@code cutover_journal}, and SELECT, INSERT, UPDATE
     * on {@code cutover_remediation_run} (each run records its start and end). Remediation also
     * needs SELECT and UPDATE on the cutover's own table, the monitor SELECT.
     *
     * @throws CutoverConfigurationException when a name is empty or too long
     */
    public static String grants(String schema, String role) {
        String s = Names.require("schema", schema);
        String r = Names.require("role", role);
        return join(List.of(
                Sql.render("grant usage on schema {0} to {1}", s, r),
                Sql.render("grant select, insert on {0} to {1}", s, "cutover_observation", r),
                Sql.render("grant select, insert, update on {0} to {1}", s, "cutover_gate", r),
                Sql.render("grant select, insert, update on {0} to {1}", s, "cutover_smoke", r),
                Sql.render("grant select, insert on {0} to {1}", s, "cutover_journal_batch", r),
                Sql.render("grant select on {0} to {1}", s, "cutover_journal", r),
                Sql.render("grant select, insert, update on {0} to {1}", s, "cutover_remediation_run", r)));
    }

    /** Joins statements into a script. */
    public static String join(List<String> statements) {
        Objects.requireNonNull(statements, "statements");
        StringBuilder script = new StringBuilder();
        for (String statement : statements) {
            script.append(statement.strip()).append(";\n");
        }
        return script.toString();
    }

    /** Renders with quoted names. */
    private static final class Sql {
        private Sql() {
        }

        static String render(String template, String schema) {
            return dev.cutover.core.internal.Sql.renderer().render(DSL.query(template, DSL.name(schema)));
        }

        static String render(String template, String schema, String role) {
            return dev.cutover.core.internal.Sql.renderer().render(DSL.query(template, DSL.name(schema), DSL.name(role)));
        }

        static String render(String template, String schema, String table, String role) {
            return dev.cutover.core.internal.Sql.renderer().render(DSL.query(template, DSL.name(schema, table), DSL.name(role)));
        }
    }
}
