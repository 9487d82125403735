package dev.cutover.flyway;

import dev.cutover.core.StateTables;
import dev.cutover.core.catalog.Names;
import dev.cutover.flyway.internal.AuditLog;

/**
 * Every state table of cutover, the Flyway callback's audit table ({@code cutover_audit})
 * included, as SQL for the migration role: core's {@link StateTables#script(String)} plus the
 * audit table. Run it once (e.g. as a migration of its own, before the cutover's), then the
 * grants for the runtime role; from then on the monitor, the preflight, remediation and the
 * callback need no DDL rights.
 *
 * <pre>{@code
 * String script = FlywayStateTables.script("public");               // V15__cutover_state.sql
 * String grants = FlywayStateTables.grants("public", "app_runtime");
 * }</pre>
 */
public final class FlywayStateTables {

    private FlywayStateTables() {
    }

    /**
     * The statements creating every state table in {@code schema}, each {@code if not exists}.
     *
     * @throws dev.cutover.core.CutoverConfigurationException when the schema name is empty or too long
     */
    public static String script(String schema) {
        String checked = Names.require("schema", schema);
        return StateTables.script(checked) + AuditLog.ddl(checked).strip() + ";\n";
    }

    /**
     * The grants the runtime role needs: those of {@link StateTables#grants(String, String)},
     * and SELECT, INSERT on {@code cutover_audit}.
     *
     * @throws dev.cutover.core.CutoverConfigurationException when a name is empty or too long
     */
    public static String grants(String schema, String role) {
        String s = Names.require("schema", schema);
        String r = Names.require("role", role);
        return StateTables.grants(s, r) + AuditLog.grant(s, r).strip() + ";\n";
    }
}
