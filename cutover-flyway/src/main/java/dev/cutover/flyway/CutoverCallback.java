package dev.cutover.flyway;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.NullProbe;
import dev.cutover.core.NullRow;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.preflight.Preflight;
import dev.cutover.core.preflight.PreflightReport;
import dev.cutover.core.verify.VerificationReport;
import dev.cutover.flyway.internal.CallbackProperties;
import dev.cutover.flyway.internal.FlywayConnectionDataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.stream.Collectors;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flyway callback that makes the NOT NULL cutover migration safe: it refuses the migration
 * while NULL rows remain, verifies the result after it ran, and refuses later migrations that
 * take the NOT NULL away again unless an incident override is configured.
 *
 * <pre>{@code
 * Flyway.configure().dataSource(ds)
 *     .callbacks(CutoverCallback.forMigration("17", cutover)
 *             .preflight(Preflight.builder().check(PreflightChecks.reconciliationClear(sql)).build())
 *             .build())
 *     .load().migrate();
 * }</pre>
 *
 * <h2>What it does, event by event</h2>
 * <ul>
 *   <li>{@code BEFORE_EACH_MIGRATE} of the cutover migration (matched by version, or by
 *       script name with {@link #forScript}): asks the core's {@link NullProbe#exists()}, which
 *       answers from the catalog alone when the column already has a validated NOT NULL, and
 *       otherwise stops at the first NULL row. If NULL rows remain it counts them, samples a
 *       few keys (sensitive columns masked) and throws {@link CutoverMigrationException}:
 *       {@code Migration 17 blocked: 3 rows in public."user" have organization_id IS NULL
 *       (baseline 0). Sample keys: id=3, id=2, id=1. Remediate (see the runbook's remediation
 *       loop), then re-run; do not force-forward.} On PostgreSQL Flyway runs the migration and
 *       this callback in one transaction and rolls it back: no row is written to the schema
 *       history, the column is untouched, and the next start simply tries again. Then the
 *       optional {@link Builder#preflight preflight} runs; a failed report blocks as well.
 *       There is no switch to skip the check.</li>
 *   <li>Then, still before the cutover migration runs: when it is a SQL script with a statement that
 *       reads the whole table under a lock that stops its writers ({@code SET NOT NULL}, a
 *       foreign key or CHECK added without {@code NOT VALID}) and the table is larger than
 *       {@link Builder#blockingScriptLimit} (1 MiB), it is refused before it takes any lock, and
 *       the message prints its replacement: the zero-downtime sequence as Flyway files
 *       ({@link dev.cutover.core.migrate.MigrationPlan#flywayFiles}) for the same version and name.</li>
 *   <li>{@code AFTER_EACH_MIGRATE} of the cutover migration: {@link CutoverDatabase#verify}
 *       (column NOT NULL, its constraint validated, the foreign key present, validated, with
 *       the configured ON DELETE action). A failure fails the migration, which Flyway rolls
 *       back when it ran in a transaction; the message is the verification report. When it
 *       passes, a post-migration smoke run is recorded as due ({@code PostMigrationSmoke}, table
 *       {@code cutover_smoke}); the smoke checks run once the application serves, not here.</li>
 *   <li>Before the first migration of a run, Flyway's list of the project's migrations
 *       (pending and applied) is read once: when none is the configured cutover migration
 *       (versions compare as Flyway's, so {@code 017} is {@code 17}), nothing is migrated and
 *       the message names the configured version and the ones that exist.</li>
 *   <li>Every other migration once the cutover migration is applied, whatever its version,
 *       order ({@code outOfOrder}), transactionality or kind (undo too): before it runs, it is
 *       refused when the validated NOT NULL is gone already, or when its SQL script would drop
 *       the NOT NULL, the constraint that carries it, the foreign key or the column, so that a
 *       non-transactional one never commits it. After it ran, if the column had a validated NOT
 *       NULL before it and has not after it, the migration fails. An incident override
 *       ({@link Builder#incidentOverride}) lets it through; it is recorded in
 *       {@code cutover_audit} (database user, actor, time, incident, reason, the migration's
 *       version, script and checksum, what changed) in the same transaction as the migration
 *       where Flyway runs one.</li>
 * </ul>
 * On an up-to-date database no migration runs, so none of this runs: start-up pays nothing
 * beyond Flyway asking {@link #supports}.
 *
 * <h2>Which connection</h2>
 * Everything runs on Flyway's own connection ({@link Context#getConnection()}), not on a new
 * one from {@code getConfiguration().getDataSource()}: that connection already holds Flyway's
 * PostgreSQL advisory lock, sees what earlier migrations of the same transaction did (with
 * {@code group=true}), and is the only one that sees the cutover migration's own uncommitted
 * DDL when verifying; a second connection would also need a second pool slot and would wait
 * behind the migration's ACCESS EXCLUSIVE lock. The core's short transactions become
 * savepoints inside Flyway's transaction, and their {@code statement_timeout} is put back
 * afterwards, so nothing is committed behind Flyway's back and the migration keeps its own
 * settings.
 *
 * <h2>Configuration without code: {@code cutover.properties}</h2>
 * The public no-arg constructor reads {@code cutover.properties} from the classpath, so
 * Flyway's own {@code flyway.callbacks=dev.cutover.flyway.CutoverCallback} ({@code flyway.conf},
 * the command line, environment variables) works with no code. Spring Boot has no
 * {@code spring.flyway.callbacks} property: setting it there is silently ignored and the migration
 * runs unguarded; declare the callback as a bean instead ({@link #portable()}, and
 * {@code docs/spring-boot.md}). Keys:
 * <table>
 *   <caption>cutover.properties</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code cutover.migration.version}</td><td>version of the cutover migration, e.g. {@code 17}</td><td>required, unless {@code cutover.migration.script}</td></tr>
 *   <tr><td>{@code cutover.migration.script}</td><td>script name of the cutover migration, e.g. {@code V17__user_org_not_null.sql}</td><td>(instead of the version)</td></tr>
 *   <tr><td>{@code cutover.table}</td><td>the table</td><td>required</td></tr>
 *   <tr><td>{@code cutover.column}</td><td>the column becoming NOT NULL</td><td>required</td></tr>
 *   <tr><td>{@code cutover.schema}</td><td>the table's schema</td><td>{@code public}</td></tr>
 *   <tr><td>{@code cutover.key}</td><td>key columns, comma-separated</td><td>the primary key</td></tr>
 *   <tr><td>{@code cutover.references.table}</td><td>table the foreign key should reference</td><td>no foreign key expected</td></tr>
 *   <tr><td>{@code cutover.references.column}</td><td>column the foreign key should reference</td><td>required with the table</td></tr>
 *   <tr><td>{@code cutover.references.schema}</td><td>schema of the referenced table</td><td>{@code cutover.schema}</td></tr>
 *   <tr><td>{@code cutover.on-delete}</td><td>{@code RESTRICT}, {@code NO ACTION}, {@code CASCADE}, {@code SET NULL}, {@code SET DEFAULT}</td><td>{@code RESTRICT}</td></tr>
 *   <tr><td>{@code cutover.foreign-key}</td><td>the foreign key's name</td><td>found by column and target</td></tr>
 *   <tr><td>{@code cutover.inspect}</td><td>columns shown for NULL rows, comma-separated</td><td>the key</td></tr>
 *   <tr><td>{@code cutover.newest-first-by}</td><td>column ordering NULL rows newest first</td><td>the key, descending</td></tr>
 *   <tr><td>{@code cutover.sensitive}</td><td>columns masked in messages, comma-separated</td><td>none</td></tr>
 *   <tr><td>{@code cutover.baseline}</td><td>the Stage A NULL baseline shown in the message</td><td>{@code 0}</td></tr>
 *   <tr><td>{@code cutover.sample-size}</td><td>sample keys shown when blocked, 1 to 20</td><td>{@code 3}</td></tr>
 *   <tr><td>{@code cutover.probe-timeout}</td><td>{@code statement_timeout} of the checks, e.g. {@code 30s}, {@code 500ms}, {@code 2m}</td><td>{@code 30s}</td></tr>
 *   <tr><td>{@code cutover.state-schema}</td><td>schema of {@code cutover_audit}</td><td>{@code cutover.schema}</td></tr>
 *   <tr><td>{@code cutover.incident.id}</td><td>incident allowing a later migration to drop the NOT NULL</td><td>none</td></tr>
 *   <tr><td>{@code cutover.incident.reason}</td><td>why; required with the incident id</td><td>none</td></tr>
 *   <tr><td>{@code cutover.incident.actor}</td><td>who applies the override, recorded beside {@code current_user}</td><td>none</td></tr>
 * </table>
 * A missing required key, a bad value or an unknown {@code cutover.*} key fails with a
 * {@link CutoverConfigurationException} naming the key.
 */
public final class CutoverCallback implements Callback {

    /** The classpath resource the no-arg constructor reads. */
    public static final String PROPERTIES_RESOURCE = "cutover.properties";

    static final int MAX_SAMPLE_SIZE = 20;

    private static final Logger LOG = LoggerFactory.getLogger(CutoverCallback.class);
    private static final Set<Event> EACH = EnumSet.of(Event.BEFORE_EACH_MIGRATE, Event.AFTER_EACH_MIGRATE,
            Event.AFTER_EACH_MIGRATE_ERROR, Event.BEFORE_EACH_UNDO, Event.AFTER_EACH_UNDO, Event.AFTER_EACH_UNDO_ERROR);

    private final String version;
    private final String script;
    private final NotNullCutover cutover;
    private final long baseline;
    private final int sampleSize;
    private final Duration probeTimeout;
    private final String stateSchema;
    private final Preflight preflight;
    private final IncidentOverride incidentOverride;
    private final RollbackGuard guard;
    private final ProjectCache project = new ProjectCache();
    private final BlockingScriptCheck blockingScripts;

    /**
     * Reads {@value #PROPERTIES_RESOURCE} from the classpath (the thread's context class
     * loader, else this class's), for {@code flyway.callbacks=dev.cutover.flyway.CutoverCallback}.
     *
     * @throws CutoverConfigurationException when the file is missing or a key is missing or bad, naming it
     */
    public CutoverCallback() {
        this(CallbackProperties.toBuilder(CallbackProperties.load(PROPERTIES_RESOURCE)));
    }

    private CutoverCallback(Builder b) {
        this.version = b.version;
        this.script = b.script;
        this.cutover = b.cutover;
        this.baseline = b.baseline;
        this.sampleSize = b.sampleSize;
        this.probeTimeout = b.probeTimeout;
        this.stateSchema = b.stateSchema;
        this.preflight = b.preflight;
        this.incidentOverride = b.incidentOverride;
        this.guard = new RollbackGuard(cutover, incidentOverride, stateSchema != null ? stateSchema : cutover.schema());
        this.blockingScripts = new BlockingScriptCheck(cutover, b.blockingScriptLimit);
    }

    /** The callback for the migration of this version (e.g. {@code "17"} or {@code "2.1"}). */
    public static Builder forMigration(String version, NotNullCutover cutover) {
        return new Builder(checkVersion(version), null, cutover);
    }

    /** The callback for the migration of this script name (e.g. {@code "V17__user_org_not_null.sql"}). */
    public static Builder forScript(String script, NotNullCutover cutover) {
        if (script == null || script.isBlank()) {
            throw new CutoverConfigurationException("migration script must not be empty");
        }
        return new Builder(null, script.strip(), cutover);
    }

    /**
     * A callback configured by properties with the keys of {@value #PROPERTIES_RESOURCE}
     * (see the class documentation).
     */
    public static CutoverCallback fromProperties(Properties properties) {
        return new CutoverCallback(CallbackProperties.toBuilder(properties));
    }

    /** The cutover this callback guards. */
    public NotNullCutover cutover() {
        return cutover;
    }

    /** The configured incident override, if any. */
    public Optional<IncidentOverride> incidentOverride() {
        return Optional.ofNullable(incidentOverride);
    }

    @Override
    public boolean supports(Event event, Context context) {
        return ProjectCache.forgets(event) || (EACH.contains(event) && context.getMigrationInfo() != null);
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        if (ProjectCache.forgets(event)) {
            project.forget();
            return;
        }
        MigrationInfo info = context.getMigrationInfo();
        if (info == null) {
            return;
        }
        try {
            handleEach(event, context, info);
        } catch (RuntimeException e) {
            // The run ends here: the next one reads the project's migrations anew.
            project.forget();
            throw e;
        }
        if (event == Event.AFTER_EACH_MIGRATE_ERROR || event == Event.AFTER_EACH_UNDO_ERROR) {
            project.forget();
        }
    }

    private void handleEach(Event event, Context context, MigrationInfo info) {
        boolean before = event == Event.BEFORE_EACH_MIGRATE || event == Event.BEFORE_EACH_UNDO;
        boolean after = event == Event.AFTER_EACH_MIGRATE || event == Event.AFTER_EACH_UNDO;
        boolean undo = event == Event.BEFORE_EACH_UNDO || event == Event.AFTER_EACH_UNDO || event == Event.AFTER_EACH_UNDO_ERROR;
        ProjectMigrations migrations = before ? project(context, undo) : project.current(context);
        if (isCutover(info) && !undo) {
            if (before) {
                beforeCutover(info, context);
            } else if (after) {
                afterCutover(info, context);
                project.cutoverApplied(context);
            }
        } else if (migrations != null && migrations.cutoverApplied()) {
            if (before) {
                guard.before(info, context, database(context));
            } else if (after) {
                guard.after(info, context, database(context));
            } else {
                guard.failed(context);
            }
        } else if (migrations != null && !isCutover(info)) {
            // Before the cutover migration: once the column is enforced for new rows, that is guarded too.
            if (before) {
                guard.beforeEnforced(info, context, database(context));
            } else if (after) {
                guard.afterEnforced(info, context, database(context));
            } else {
                guard.failed(context);
            }
        }
    }

    /** The project's migrations, read before the first migration of a run; refuses when none is the cutover migration. */
    private ProjectMigrations project(Context context, boolean undo) {
        ProjectMigrations known = project.read(context, c -> guard.baselined(ProjectMigrations.read(c.getConfiguration(),
                c.getConnection(), this::isCutover, version != null), database(c)), undo);
        if (!known.cutoverFound()) {
            String configured = version != null ? "version " + version : "script " + script;
            throw new CutoverMigrationException(CutoverMigrationException.Reason.NO_SUCH_MIGRATION, name(context.getMigrationInfo()),
                    "No migration has " + configured + ", the cutover migration of " + cutover.subject() + ", so nothing is "
                            + "migrated: the gate would not see it run. Migrations: " + known.listed() + ". Configure the cutover "
                            + "migration's " + (version != null ? "version" : "script") + " as Flyway names it, then re-run.");
        }
        return known;
    }

    /**
     * This callback behind a {@link Callback} whose class has exactly the methods of the Flyway
     * on the class path. Use it where a framework inspects the class of the callback object,
     * as Spring does with beans: {@code CutoverCallback} itself is compiled against the newest
     * Flyway, whose callback interface declares methods with types (such as
     * {@code CallbackEvent}) that Flyway 11.7 (Spring Boot 3.5) does not have, so listing its
     * methods fails there. Flyway itself never lists them: plain Flyway needs no wrapper.
     *
     * <pre>{@code
     * @Bean
     * Callback cutoverCallback(NotNullCutover cutover) {
     *     return CutoverCallback.forMigration("17", cutover).build().portable();
     * }
     * }</pre>
     */
    public Callback portable() {
        CutoverCallback target = this;
        return (Callback) Proxy.newProxyInstance(Callback.class.getClassLoader(), new Class<?>[] {Callback.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "supports" -> target.supports((Event) args[0], (Context) args[1]);
                    case "canHandleInTransaction" -> target.canHandleInTransaction((Event) args[0], (Context) args[1]);
                    case "handle" -> {
                        target.handle((Event) args[0], (Context) args[1]);
                        yield null;
                    }
                    case "getCallbackName" -> target.getCallbackName();
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "toString" -> target.toString();
                    default -> {
                        if (method.isDefault()) {
                            yield InvocationHandler.invokeDefault(proxy, method, args);
                        }
                        throw new UnsupportedOperationException("Flyway called " + method + ", which this version of "
                                + "cutover does not know; use CutoverCallback directly or a newer cutover");
                    }
                });
    }

    @Override
    public String getCallbackName() {
        return "cutover " + cutover.subject();
    }

    private void beforeCutover(MigrationInfo info, Context context) {
        String migration = name(info);
        if (isEnforceMigration(info, context)) {
            throw new CutoverMigrationException(CutoverMigrationException.Reason.NO_SUCH_MIGRATION, migration, "Migration "
                    + migration + " is an EnforceNotNullMigration (" + info.getScript() + "): it enforces NOT NULL for new rows of "
                    + cutover.subject() + " while NULLs remain, so it is not the cutover migration the callback gates. Nothing was "
                    + "migrated. Configure the callback with the version of the migration that finishes the cutover (a "
                    + "NotNullCutoverMigration, or the SQL that validates), then re-run.");
        }
        CutoverDatabase db = database(context);
        NullProbe probe = db.probe(cutover);
        if (probe.exists()) {
            OptionalLong nulls;
            String countProblem = null;
            try {
                nulls = OptionalLong.of(probe.count());
            } catch (CutoverDatabaseException e) {
                nulls = OptionalLong.empty();
                countProblem = e.getMessage();
            }
            throw new CutoverMigrationException(CutoverMigrationException.Reason.NULLS_REMAIN, migration, nulls,
                    blockedMessage(migration, probe, nulls, countProblem));
        }
        LOG.atInfo().addKeyValue("migration", migration).addKeyValue("target", cutover.subject())
                .log("Migration {}: no NULL rows in {}, the cutover may run", migration, cutover.subject());
        if (preflight != null) {
            PreflightReport report = preflight.run(db);
            if (!report.passed()) {
                LOG.atError().addKeyValue("migration", migration).addKeyValue("target", cutover.subject())
                        .log("Migration {} blocked by the preflight:\n{}", migration, report.render());
                throw new CutoverMigrationException(CutoverMigrationException.Reason.PREFLIGHT_FAILED, migration,
                        "Migration " + migration + " blocked: the preflight for " + cutover.subject() + " failed.\n"
                                + report.render() + "\nResolve what failed (see the runbook's Stage B preflight checklist), "
                                + "then re-run; do not force-forward.");
            }
            LOG.atInfo().addKeyValue("migration", migration).log("Preflight for migration {} passed:\n{}", migration, report.render());
        }
        blockingScripts.refuseIfBlocking(info, context, db);
    }

    private String blockedMessage(String migration, NullProbe probe, OptionalLong nulls, String countProblem) {
        String count;
        String verb;
        if (nulls.isPresent()) {
            long n = nulls.getAsLong();
            count = n + (n == 1 ? " row" : " rows");
            verb = n == 1 ? "has" : "have";
        } else {
            count = "rows (count not finished: " + countProblem + ")";
            verb = "have";
        }
        StringBuilder s = new StringBuilder("Migration ").append(migration).append(" blocked: ").append(count)
                .append(" in ").append(cutover.qualifiedTable()).append(' ').append(verb).append(' ')
                .append(Names.display(cutover.column())).append(" IS NULL (baseline ").append(baseline).append(").");
        try {
            List<NullRow> rows = probe.sample(sampleSize);
            if (!rows.isEmpty()) {
                s.append(" Sample keys: ").append(rows.stream().map(CutoverCallback::describeKey).collect(Collectors.joining(", ")))
                        .append('.');
            }
        } catch (CutoverDatabaseException e) {
            s.append(" (No sample keys: ").append(e.getMessage()).append(')');
        }
        return s.append(" Remediate (see the runbook's remediation loop), then re-run; do not force-forward.").toString();
    }

    private static String describeKey(NullRow row) {
        String key = row.key().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        return row.key().size() == 1 ? key : "(" + key + ")";
    }

    private void afterCutover(MigrationInfo info, Context context) {
        String migration = name(info);
        VerificationReport report = database(context).verify(cutover);
        if (!report.passed()) {
            LOG.atError().addKeyValue("migration", migration).addKeyValue("target", cutover.subject())
                    .log("Migration {} failed its verification:\n{}", migration, report.render());
            throw new CutoverMigrationException(CutoverMigrationException.Reason.VERIFICATION_FAILED, migration,
                    "Migration " + migration + " ran but did not leave " + cutover.subject() + " as the runbook expects, so it "
                            + "fails (and is rolled back where it ran in a transaction).\n" + report.render()
                            + "\nChange the migration so that each failed check passes (see the runbook's post-migration "
                            + "verification), then re-run.");
        }
        LOG.atInfo().addKeyValue("migration", migration).addKeyValue("target", cutover.subject())
                .log("Migration {} verified:\n{}", migration, report.render());
        SmokeRunDue.mark(context, cutover, stateSchema, probeTimeout, migration);
    }

    /** Whether the migration is a Java {@link EnforceNotNullMigration} (Flyway names a Java migration's script by its class). */
    private static boolean isEnforceMigration(MigrationInfo info, Context context) {
        String script = info.getScript();
        if (script == null || script.contains("/") || script.contains("\\")) {
            return false;
        }
        try {
            return EnforceNotNullMigration.class.isAssignableFrom(
                    Class.forName(script, false, context.getConfiguration().getClassLoader()));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private CutoverDatabase database(Context context) {
        return CutoverDatabase.builder(new FlywayConnectionDataSource(context.getConnection())).probeTimeout(probeTimeout).build();
    }

    private boolean isCutover(MigrationInfo info) {
        if (version != null) {
            return info.getVersion() != null && info.getVersion().equals(MigrationVersion.fromVersion(version));
        }
        String s = info.getScript();
        return s != null && (s.equals(script) || s.endsWith("/" + script) || s.endsWith("\\" + script));
    }

    static String name(MigrationInfo info) {
        return info.getVersion() != null ? info.getVersion().getVersion() : info.getScript();
    }

    private static String checkVersion(String version) {
        if (version == null || version.isBlank()) {
            throw new CutoverConfigurationException("migration version must not be empty");
        }
        try {
            MigrationVersion.fromVersion(version.strip());
        } catch (FlywayException | NumberFormatException e) {
            throw new CutoverConfigurationException("migration version must look like 17 or 2.1 (Flyway's V<version>__...), but was \""
                    + version + "\"");
        }
        return version.strip();
    }

    @Override
    public String toString() {
        return "CutoverCallback[migration " + (version != null ? version : script) + ", " + cutover.subject()
                + (preflight != null ? ", with preflight" : "")
                + (incidentOverride != null ? ", override " + incidentOverride.incident() : "") + "]";
    }

    /**
     * An incident that allows a later migration to take the NOT NULL away; recorded in
     * {@code cutover_audit} when used.
     *
     * @param incident the incident id, e.g. {@code INC-1234}
     * @param reason   why, for the audit
     * @param actor    who applies it, recorded beside the database's {@code current_user}; may be empty
     */
    public record IncidentOverride(String incident, String reason, Optional<String> actor) {

        public IncidentOverride {
            if (incident == null || incident.isBlank()) {
                throw new CutoverConfigurationException("incident id of the override must not be empty");
            }
            if (reason == null || reason.isBlank()) {
                throw new CutoverConfigurationException("reason of the incident override " + incident + " must not be empty");
            }
            Objects.requireNonNull(actor, "actor");
        }
    }

    /** Collects the settings; each setter checks its argument at once. */
    public static final class Builder {
        private final String version;
        private final String script;
        private final NotNullCutover cutover;
        private long baseline;
        private int sampleSize = 3;
        private Duration probeTimeout = Duration.ofSeconds(30);
        private String stateSchema;
        private Preflight preflight;
        private IncidentOverride incidentOverride;
        private String actor;
        private long blockingScriptLimit = BlockingScriptCheck.DEFAULT_LIMIT_BYTES;

        private Builder(String version, String script, NotNullCutover cutover) {
            this.version = version;
            this.script = script;
            this.cutover = Objects.requireNonNull(cutover, "cutover");
        }

        /** The Stage A NULL baseline, shown in the blocking message; default 0. Any NULL row blocks the migration. */
        public Builder baseline(long baseline) {
            if (baseline < 0) {
                throw new CutoverConfigurationException("baseline must be at least 0, but was " + baseline);
            }
            this.baseline = baseline;
            return this;
        }

        /** How many sample keys the blocking message shows; default 3. */
        public Builder sampleSize(int sampleSize) {
            if (sampleSize < 1 || sampleSize > MAX_SAMPLE_SIZE) {
                throw new CutoverConfigurationException("sampleSize must be between 1 and " + MAX_SAMPLE_SIZE + ", but was " + sampleSize);
            }
            this.sampleSize = sampleSize;
            return this;
        }

        /** {@code statement_timeout} of the checks; default 30 s. */
        public Builder probeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "probeTimeout");
            if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new CutoverConfigurationException("probeTimeout must be between 1 ms and " + Integer.MAX_VALUE
                        + " ms, but was " + timeout);
            }
            this.probeTimeout = timeout;
            return this;
        }

        /** Schema of {@code cutover_audit}; default the cutover's schema. */
        public Builder stateSchema(String schema) {
            this.stateSchema = Names.require("stateSchema", schema);
            return this;
        }

        /**
         * The Stage B checklist, run before the cutover migration on the migration's own
         * connection; a failed report blocks the migration and is printed in the message.
         */
        public Builder preflight(Preflight preflight) {
            if (this.preflight != null) {
                throw new CutoverConfigurationException("preflight was already set");
            }
            this.preflight = Objects.requireNonNull(preflight, "preflight");
            return this;
        }

        /**
         * Lets a later migration take the NOT NULL away, under this incident; the change is
         * recorded in {@code cutover_audit}. For incident-level review only (the runbook:
         * "Do not drop NOT NULL without incident-level review").
         */
        public Builder incidentOverride(String incident, String reason) {
            if (incidentOverride != null) {
                throw new CutoverConfigurationException("incidentOverride was already set to " + incidentOverride.incident());
            }
            this.incidentOverride = new IncidentOverride(incident == null ? null : incident.strip(),
                    reason == null ? null : reason.strip(), Optional.empty());
            return this;
        }

        /** Who applies the incident override (a person or a deploy job), recorded beside {@code current_user}. */
        public Builder actor(String actor) {
            if (actor == null || actor.isBlank()) {
                throw new CutoverConfigurationException("actor must not be empty");
            }
            this.actor = actor.strip();
            return this;
        }

        /**
         * Above this table size (bytes, all partitions; default 1 MiB) a SQL cutover migration whose
         * statements read the whole table under a lock that stops its writers ({@code SET NOT NULL},
         * {@code ADD FOREIGN KEY} or {@code CHECK} without {@code NOT VALID}) is refused before it runs,
         * and the message prints its replacement: the zero-downtime sequence as Flyway files. {@code 0}
         * refuses such a script whatever the size.
         */
        public Builder blockingScriptLimit(long bytes) {
            if (bytes < 0) {
                throw new CutoverConfigurationException("blockingScriptLimit must be at least 0 bytes, but was " + bytes);
            }
            this.blockingScriptLimit = bytes;
            return this;
        }

        /**
         * Checks the settings together and returns the callback.
         *
         * @throws CutoverConfigurationException naming what is wrong
         */
        public CutoverCallback build() {
            if (actor != null) {
                if (incidentOverride == null) {
                    throw new CutoverConfigurationException("actor(" + actor + ") needs incidentOverride(incident, reason): "
                            + "the actor is recorded only when an override is applied");
                }
                incidentOverride = new IncidentOverride(incidentOverride.incident(), incidentOverride.reason(), Optional.of(actor));
            }
            return new CutoverCallback(this);
        }
    }
}
