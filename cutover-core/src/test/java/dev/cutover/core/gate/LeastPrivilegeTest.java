package dev.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.StateTables;
import dev.cutover.core.preflight.PreflightCheck;
import dev.cutover.core.preflight.PreflightChecks;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.remediation.RemediationReport;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The application's runtime role has no DDL rights: the migration role creates the state tables
 * ahead from {@link StateTables#script(String)}, {@link StateTables#grants(String, String)} gives
 * the runtime role SELECT, INSERT, UPDATE on them, and the monitor, the preflight and remediation
 * run as that role.
 */
class LeastPrivilegeTest {

    static TestDatabase database;
    static String role;
    static CutoverDatabase runtime;
    static PGSimpleDataSource asRuntime;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id").build();

    @BeforeAll
    static void createDatabaseAndRole() {
        database = TestDatabase.create().runbookSchema().execute("""
                insert into organizations (name) values ('Acme');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1);
                """);
        role = "cutover_runtime_" + UUID.randomUUID().toString().substring(0, 8);
        database.execute("create role " + role + " login password 'runtime'; revoke create on schema public from public");
        database.execute(StateTables.script("public"));
        database.execute(StateTables.grants("public", role));
        database.execute("grant select, update on \"user\" to " + role + "; grant select on organizations to " + role);
        asRuntime = new PGSimpleDataSource();
        asRuntime.setUrl(database.jdbcUrl());
        asRuntime.setUser(role);
        asRuntime.setPassword("runtime");
        runtime = CutoverDatabase.of(asRuntime);
    }

    @AfterAll
    static void dropRoleAndDatabase() {
        try {
            database.execute("drop owned by " + role + "; drop role " + role);
        } finally {
            database.close();
        }
    }

    @Test
    void theRoleHasNoDdlRightsAndOnlySelectInsertUpdateOnTheStateTables() {
        assertThat(database.queryString("select has_schema_privilege('" + role + "', 'public', 'CREATE')")).isEqualTo("f");
        assertThat(database.queryString("select string_agg(table_name || ':' || privilege_type, ' ' order by table_name, "
                + "privilege_type) from information_schema.role_table_grants where grantee = '" + role
                + "' and table_name like 'cutover%'")).isEqualTo("cutover_gate:INSERT cutover_gate:SELECT cutover_gate:UPDATE "
                + "cutover_journal:SELECT cutover_journal_batch:INSERT cutover_journal_batch:SELECT "
                + "cutover_observation:INSERT cutover_observation:SELECT cutover_remediation_run:INSERT "
                + "cutover_remediation_run:SELECT cutover_remediation_run:UPDATE cutover_smoke:INSERT cutover_smoke:SELECT "
                + "cutover_smoke:UPDATE");
    }

    @Test
    void monitorPreflightAndRemediationRunAsTheRuntimeRole() throws Exception {
        try (CutoverMonitor monitor = CutoverMonitor.builder(runtime, CUTOVER).instance("app-1").every(Duration.ofHours(1)).start()) {
            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.GO);
            database.execute("insert into \"user\" (email) values ('bob@example.com')");
            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.NO_GO);

            PreflightCheck.Outcome stable = PreflightChecks.nullBaselineStable(CUTOVER, 0, Duration.ofMinutes(1)).run(runtime);
            assertThat(stable.passed()).isFalse();
            assertThat(stable.detail()).contains("the Stage A gate is latched NO_GO since ").doesNotContain("permission");

            RemediationReport fixed = Remediation.builder(runtime, CUTOVER).policy(RemediationPolicies.constant(1L)).build().run();
            assertThat(fixed.assigned()).isEqualTo(1);
            assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + fixed.runId() + "'"))
                    .isEqualTo(1);

            monitor.rearm();
            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.GO);
        }
        assertThat(database.queryString("select string_agg(distinct instance, ',') from cutover_observation")).isEqualTo("app-1");
    }

    @Test
    void thePostMigrationSmokeGateLatchesAndIsRearmedAsTheRuntimeRole() {
        var smoke = dev.cutover.core.preflight.PostMigrationSmoke.of(runtime, CUTOVER).instance("app-1")
                .check(PreflightChecks.smoke("join flow", () -> {
                    throw new IllegalStateException("join failed");
                }));
        try {
            smoke.markDue("2");
            assertThat(smoke.runIfDue()).get().extracting(r -> r.latched()).isEqualTo(true);
            assertThat(NullBaselineGate.of(runtime, CUTOVER, 0).evaluate().verdict()).isEqualTo(Verdict.NO_GO);
        } finally {
            assertThat(smoke.rearm("alice")).isPresent();
        }
        assertThat(NullBaselineGate.of(runtime, CUTOVER, 0).evaluate().verdict()).isEqualTo(Verdict.GO);
    }

    @Test
    void startingWithoutTheTablesSaysHowToCreateThemAhead() {
        CutoverDatabase elsewhere = CutoverDatabase.builder(asRuntime).stateSchema("not_created_yet").build();
        assertThatThrownBy(() -> CutoverMonitor.builder(elsewhere, CUTOVER).start())
                .isInstanceOf(CutoverDatabaseException.class)
                .hasMessageContaining("are missing and this role may not create them (SQLSTATE 42501")
                .hasMessageContaining("StateTables.script(\"not_created_yet\")");
        assertThat(database.queryLong("select count(*) from pg_namespace where nspname = 'not_created_yet'")).isZero();
    }

    @Test
    void aStateTableDroppedUnderTheRuntimeRoleIsNeverAGoAndSaysWhatToDo() {
        try (CutoverMonitor monitor = CutoverMonitor.builder(runtime, CUTOVER).every(Duration.ofHours(1)).start()) {
            database.execute("drop table cutover_observation");

            Decision lost = monitor.evaluateNow();
            assertThat(lost.verdict()).isEqualTo(Verdict.UNKNOWN);
            assertThat(lost.reason()).contains("could not be read or written, so this is not a GO")
                    .contains("StateTables.script");
            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.UNKNOWN);

            database.execute(StateTables.script("public"));
            database.execute(StateTables.grants("public", role));
            assertThat(monitor.evaluateNow().verdict()).isIn(Verdict.GO, Verdict.NO_GO);
            assertThat(database.queryLong("select count(*) from cutover_observation")).isEqualTo(1);
        }
    }
}
