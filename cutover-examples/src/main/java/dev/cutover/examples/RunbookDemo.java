package dev.cutover.examples;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.NullRow;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.gate.Decision;
import dev.cutover.core.gate.Verdict;
import dev.cutover.core.migrate.FlywayFile;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.core.preflight.Preflight;
import dev.cutover.core.preflight.PreflightChecks;
import dev.cutover.core.preflight.PreflightReport;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationEvent;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.remediation.RemediationReport;
import dev.cutover.core.verify.VerificationReport;
import dev.cutover.flyway.CutoverCallback;
import dev.cutover.flyway.CutoverMigrationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The whole runbook for {@code user.organization_id}, stage by stage, on embedded PostgreSQL
 * or on a database given with {@code --jdbc-url URL} (or {@code -Dcutover.demo.jdbc-url=URL}),
 * where it works in a schema of its own and drops it afterwards. Exits non-zero when a stage
 * does not behave as the runbook says.
 *
 * <pre>
 * mvn -q -pl cutover-examples -am -DskipTests package exec:java
 * mvn -q -pl cutover-examples -am -DskipTests package exec:java -Dexec.args="--jdbc-url jdbc:postgresql://127.0.0.1:5432/test?user=postgres"
 * </pre>
 */
public final class RunbookDemo {

    private static final Instant DAY_ONE = Instant.parse("2026-11-02T09:00:00Z");
    private static final List<String> DOMAINS = List.of("acme.test", "globex.test", "initech.test", "umbrella.test", "hooli.test");

    private final Console console = new Console(System.out);
    private final DemoDatabase database;
    private final CutoverDatabase db;
    private Path migrations;
    private final SignupApp app;
    private final NotNullCutover cutover;
    private Instant clock = DAY_ONE;

    private RunbookDemo(DemoDatabase database) {
        this.database = database;
        this.db = CutoverDatabase.of(database.dataSource());
        this.app = new SignupApp(database.dataSource());
        this.cutover = NotNullCutover.builder("user", "organization_id")
                .schema(database.schema())
                .references("organizations", "id")
                .onDelete(ReferentialAction.RESTRICT)
                .foreignKey("user_organization_id_organizations_id_fk")
                .inspect("id", "email", "created_at")
                .newestFirstBy("created_at")
                .sensitive("email")
                .build();
    }

    public static void main(String[] args) {
        String url = jdbcUrl(args).orElse(null);
        int status;
        try (DemoDatabase database = url == null ? DemoDatabase.embedded(18) : DemoDatabase.external(url)) {
            status = new RunbookDemo(database).run();
        } catch (Exception e) {
            System.out.println();
            System.out.println("The demo could not run: " + e);
            e.printStackTrace(System.out);
            status = 2;
        }
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    private static Optional<String> jdbcUrl(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--jdbc-url") && i + 1 < args.length) {
                return Optional.of(args[i + 1]);
            }
            if (args[i].startsWith("--jdbc-url=")) {
                return Optional.of(args[i].substring("--jdbc-url=".length()));
            }
        }
        return Optional.ofNullable(System.getProperty("cutover.demo.jdbc-url")).filter(s -> !s.isBlank());
    }

    private int run() throws Exception {
        console.title("cutover: the user.organization_id NOT NULL runbook on " + database.description()
                + ", schema " + database.schema());
        try {
            schema();
            compatibilityWindow();
            try (CutoverMonitor monitor = CutoverMonitor.builder(db, cutover).baseline(0)
                    .every(Duration.ofMillis(100)).start()) {
                stageA(monitor);
                migrationBlocked();
                remediation(monitor);
                preflight();
            }
            migrationApplied();
            guard();
        } catch (Console.StageFailed failed) {
            console.blank();
            console.line("FAILED: " + failed.getMessage());
            return 1;
        } finally {
            if (migrations != null) {
                try (var files = Files.list(migrations)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
                Files.delete(migrations);
            }
        }
        console.blank();
        console.line("Every stage behaved as the runbook says.");
        return 0;
    }

    private Flyway flyway(String... locations) {
        return Flyway.configure()
                .dataSource(database.dataSource())
                .schemas(database.schema())
                .locations(locations)
                .callbacks(CutoverCallback.forMigration("17", cutover).build())
                .load();
    }

    private void schema() throws IOException {
        console.stage("Schema (Flyway V16): organizations, \"user\" with a nullable organization_id");
        int applied = Flyway.configure().dataSource(database.dataSource()).schemas(database.schema())
                .locations("classpath:db/runbook").target("16").load().migrate().migrationsExecuted;
        console.expect(applied == 1, "V16 applied; organization_id is still nullable");
        // V17 is the zero-downtime sequence as a Flyway SQL migration, rendered for this schema and server.
        migrations = Files.createTempDirectory("cutover-demo-migrations");
        List<FlywayFile> files = NotNullMigration.builder(db, cutover).build().plan()
                .flywayFiles("17", "user_organization_id_not_null");
        files.forEach(file -> file.writeTo(migrations));
        console.line("V17 rendered by MigrationPlan.flywayFiles: " + String.join(", ", files.stream().map(FlywayFile::name).toList())
                + " (each step a short transaction with lock_timeout, retried while the table is busy)");
    }

    private void compatibilityWindow() throws SQLException {
        console.stage("Compatibility window: signups through the create and join flows");
        for (String domain : DOMAINS) {
            app.createFlow("founder@" + domain, capitalized(domain), tick());
        }
        for (int i = 1; i <= 40; i++) {
            app.joinFlow("member" + i + "@" + DOMAINS.get(i % DOMAINS.size()), tick());
        }
        console.line(DOMAINS.size() + " organizations created, 40 users joined them by email domain");
        console.expect(db.probe(cutover).count() == 0, "every user has an organization (NULL count 0)");
    }

    private void stageA(CutoverMonitor monitor) throws Exception {
        console.stage("Stage A monitoring gate (baseline 0, every 100 ms)");
        Decision first = awaitDecision(monitor, d -> d.nullCount().isPresent());
        console.line("first decision: " + first);
        console.expect(first.verdict() == Verdict.GO, "GO while the NULL count stays at the baseline");

        console.line("a release ships the legacy invite path without the organization assignment hook ...");
        for (int i = 1; i <= 37; i++) {
            String domain = i % 8 == 0 ? "personal-mail.test" : DOMAINS.get(i % DOMAINS.size());
            app.legacyInvite("invitee" + i + "@" + domain, tick());
        }
        execute("insert into signup_finalize_failures (email) values ('invitee3@initech.test')");
        Decision rise = awaitDecision(monitor, d -> d.verdict() == Verdict.NO_GO);
        console.line("decision: " + rise);
        console.expect(rise.latched(), "the rise latches NO_GO: pause rollout");

        console.line("the assignment hook is deployed; new invitees get their organization ...");
        app.assignmentHookLive(true);
        for (int i = 1; i <= 5; i++) {
            app.legacyInvite("late" + i + "@" + DOMAINS.get(i % DOMAINS.size()), tick());
        }
        Decision still = monitor.evaluateNow();
        console.line("decision: " + still);
        console.expect(still.verdict() == Verdict.NO_GO && still.nullCount().orElse(-1) == 37,
                "the count no longer rises, yet the gate stays NO_GO until it is re-armed after remediation");
    }

    private void migrationBlocked() {
        console.stage("Apply migration too early: Flyway V17 with the cutover callback");
        try {
            flyway("classpath:db/runbook", "filesystem:" + migrations).migrate();
            console.expect(false, "V17 must refuse to run while NULL users remain");
        } catch (FlywayException e) {
            CutoverMigrationException blocked = cause(e, CutoverMigrationException.class)
                    .orElseThrow(() -> new Console.StageFailed("V17 failed for another reason: " + e.getMessage()));
            console.block(blocked.getMessage());
            console.expect(blocked.reason() == CutoverMigrationException.Reason.NULLS_REMAIN,
                    "V17 self-blocks while NULL users remain");
        }
        console.expect(queryLong("select count(*) from flyway_schema_history where version = '17'") == 0,
                "no row for V17 in flyway_schema_history: the next start simply tries again");
    }

    private void remediation(CutoverMonitor monitor) throws Exception {
        console.stage("Remediation loop: inspect, apply a deterministic policy, re-count, repeat until 0");
        long nulls = db.probe(cutover).count();
        console.line("newest NULL users (the runbook's inspection query, email masked):");
        for (NullRow row : db.probe(cutover).sample(5)) {
            console.line("  " + row);
        }
        long unassigned = queryLong("insert into organizations (name) values ('Unassigned (incident INC-2211)') returning id");
        console.line("policy: the organization owning the email's domain, else 'Unassigned (incident INC-2211)' (id "
                + unassigned + ")");
        AtomicLong done = new AtomicLong();
        RemediationReport report = Remediation.builder(db, cutover)
                .policy(RemediationPolicies.firstOf(
                        RemediationPolicies.lookup("select id from organizations "
                                + "where domain = split_part(:email, '@', 2)"),
                        RemediationPolicies.constant(unassigned)))
                .batchSize(8)
                .maxRowsPerSecond(100)
                .onEvent(event -> {
                    if (event instanceof RemediationEvent.BatchDone batch) {
                        console.progress(done.addAndGet(batch.assigned()), nulls,
                                "round " + batch.round() + ", batch " + batch.batch() + ": " + batch.assigned() + " assigned");
                    }
                })
                .build()
                .run();
        console.block(report.toString());
        console.expect(report.complete() && report.assigned() == nulls, "all " + nulls + " NULL users assigned");
        console.expect(db.probe(cutover).count() == 0, "re-count: 0 NULL users");
        monitor.rearm();
        Decision go = awaitDecision(monitor, d -> d.verdict() == Verdict.GO);
        console.line("after re-arming: " + go);
        console.expect(go.isGo(), "the gate is GO again");
    }

    private void preflight() throws Exception {
        console.stage("Stage B preflight checklist");
        execute("update signup_finalize_failures set resolved_at = now() where resolved_at is null");
        console.line("the on-call engineer resolved the one failed signup finalization");
        Thread.sleep(2_200);
        PreflightReport report = Preflight.builder()
                .check(PreflightChecks.assignmentCodeLive("signup organization assignment hook", app::assignmentHookLive))
                .check(PreflightChecks.nullBaselineStable(cutover, 0, Duration.ofSeconds(2), Duration.ofMillis(500)))
                .check(PreflightChecks.reconciliationClear(
                        "select count(*) from signup_finalize_failures where resolved_at is null"))
                .check(PreflightChecks.smoke("create flow", () -> requireOrganization(app.createFlow(
                        "smoke@wayne.test", "Wayne", tick()))))
                .check(PreflightChecks.smoke("join flow", () -> requireOrganization(app.joinFlow(
                        "smoke@acme.test", tick()))))
                .build()
                .run(db);
        console.block(report.render());
        console.expect(report.passed(), "every preflight item passes");
    }

    private void migrationApplied() {
        console.stage("Apply migration: Flyway V17 with the cutover callback, verified after");
        int applied = flyway("classpath:db/runbook", "filesystem:" + migrations).migrate().migrationsExecuted;
        console.expect(applied == 1, "V17 applied");
        VerificationReport report = db.verify(cutover);
        console.block(report.render());
        console.expect(report.passed(), "NOT NULL, validated, FK ON DELETE RESTRICT");
        console.line("the runbook's own queries:");
        console.line("  is_nullable = " + queryString("select is_nullable from information_schema.columns where table_schema = '"
                + database.schema() + "' and table_name = 'user' and column_name = 'organization_id'"));
        console.line("  " + queryString("select conname || ': ' || pg_get_constraintdef(c.oid) from pg_constraint c "
                + "join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace where n.nspname = '"
                + database.schema() + "' and t.relname = 'user' and conname = 'user_organization_id_organizations_id_fk'"));
    }

    private void guard() {
        console.stage("Rollback guard: a later V18 drops the NOT NULL");
        try {
            flyway("classpath:db/runbook", "filesystem:" + migrations, "classpath:db/regression").migrate();
            console.expect(false, "V18 must be refused without an incident override");
        } catch (FlywayException e) {
            CutoverMigrationException refused = cause(e, CutoverMigrationException.class)
                    .orElseThrow(() -> new Console.StageFailed("V18 failed for another reason: " + e.getMessage()));
            console.block(refused.getMessage());
            console.expect(refused.reason() == CutoverMigrationException.Reason.GUARD_REFUSED, "V18 refused");
        }
        console.expect(db.verify(cutover).passed(), "organization_id is still NOT NULL and validated");
    }

    private Decision awaitDecision(CutoverMonitor monitor, Predicate<Decision> wanted) throws InterruptedException {
        AtomicReference<Decision> seen = new AtomicReference<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            monitor.last().filter(wanted).ifPresent(seen::set);
            if (seen.get() != null) {
                return seen.get();
            }
            Thread.sleep(50);
        }
        throw new Console.StageFailed("no monitor decision as expected within 20 s; last: " + monitor.last().orElse(null));
    }

    private void requireOrganization(long userId) {
        long org = queryLong("select coalesce(organization_id, -1) from \"user\" where id = " + userId);
        if (org < 0) {
            throw new IllegalStateException("user " + userId + " was created without an organization");
        }
    }

    private Instant tick() {
        clock = clock.plus(Duration.ofMinutes(17));
        return clock;
    }

    private static String capitalized(String domain) {
        String name = domain.substring(0, domain.indexOf('.'));
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static <T extends Throwable> Optional<T> cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    private void execute(String sql) {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private long queryLong(String sql) {
        return Long.parseLong(queryString(sql));
    }

    private String queryString(String sql) {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
