package dev.cutover.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.flyway.internal.AuditLog;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Every state table created ahead by the migration role; the audit then written by a role without DDL rights. */
class FlywayStateTablesTest {

    @Test
    void theScriptCreatesEveryStateTableAndARoleWithoutDdlRightsWritesTheAudit() {
        try (TestDatabase db = TestDatabase.create()) {
            String role = "cutover_audit_" + UUID.randomUUID().toString().substring(0, 8);
            db.execute("create role " + role + " login password 'runtime'; revoke create on schema public from public");
            try {
                db.execute(FlywayStateTables.script("public"));
                db.execute(FlywayStateTables.script("public"));
                db.execute(FlywayStateTables.grants("public", role));
                assertThat(db.queryString("select string_agg(relname, ' ' order by relname) from pg_class "
                        + "where relname like 'cutover%' and relkind in ('r', 'v')"))
                        .isEqualTo("cutover_audit cutover_gate cutover_journal cutover_journal_batch cutover_observation "
                                + "cutover_remediation_run cutover_smoke");
                assertThat(db.queryString("select string_agg(privilege_type, ' ' order by privilege_type) "
                        + "from information_schema.role_table_grants where grantee = '" + role + "' and table_name = 'cutover_audit'"))
                        .isEqualTo("INSERT SELECT");

                PGSimpleDataSource asRuntime = new PGSimpleDataSource();
                asRuntime.setUrl(db.jdbcUrl());
                asRuntime.setUser(role);
                asRuntime.setPassword("runtime");
                AuditLog.record(CutoverDatabase.of(asRuntime), "public",
                        new CutoverCallback.IncidentOverride("INC-7", "rollback of 17", Optional.empty()),
                        new AuditLog.Migration("18", "V18__drop_not_null.sql", 42),
                        "public.\"user\".organization_id", "column NOT NULL lost");

                assertThat(db.queryString("select concat_ws(' ', database_user, incident, migration) from cutover_audit"))
                        .isEqualTo(role + " INC-7 18");
            } finally {
                db.execute("drop owned by " + role + "; drop role " + role);
            }
        }
    }
}
