package dev.cutover.core.migrate;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import dev.cutover.core.internal.Retries;
import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.NotNullConstraint;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.NullProbe;
import dev.cutover.core.ReferentialAction;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans and runs a {@link NotNullMigration}: reads the catalog to decide which steps are done,
 * then runs each remaining step in its own short transaction, waiting out long transactions
 * on the table first and retrying lock timeouts until the deadline.
 */
final class MigrationEngine {

    private static final Logger LOG = LoggerFactory.getLogger(NotNullMigration.class);
    private static final String APPLICATION_NAME = "cutover migration";
    private static final Set<String> LOCK_FAILURES = Set.of("55P03", "40P01");
    private static final Duration FIRST_POLL = Duration.ofMillis(10);
    private static final Duration LONGEST_POLL = Duration.ofMillis(250);

    private enum Kind { ADD_NOT_NULL, VALIDATE_NOT_NULL, SET_NOT_NULL, DROP_CHECK, ADD_FOREIGN_KEY, VALIDATE_FOREIGN_KEY }

    /** A step with what it takes to run it and to see that it is done. */
    private record Planned(MigrationStep step, Kind kind, Query query, Map<Long, LockLevel> locks, String constraint,
                           Predicate<ColumnState> done) {
    }

    private record Program(MigrationPlan plan, List<Planned> steps) {
    }

    private final MigrationSettings settings;
    private final DatabaseHandle db;
    private final NotNullCutover cutover;
    private final String subject;
    private long deadlineNanos;

    MigrationEngine(MigrationSettings settings) {
        this.settings = settings;
        this.db = DatabaseHandle.of(settings.db());
        this.cutover = settings.cutover();
        this.subject = cutover.subject();
    }

    MigrationPlan plan() {
        return program().plan();
    }

    /** Runs at most {@code limit} steps that are not done yet. */
    MigrationReport run(int limit) {
        return run(limit, false);
    }

    /** The enforce phase alone: the NOT VALID constraint, whether or not NULL rows remain. */
    MigrationReport enforce() {
        return run(Integer.MAX_VALUE, true);
    }

    private MigrationReport run(int limit, boolean enforceOnly) {
        long start = System.nanoTime();
        deadlineNanos = start + settings.deadline().toNanos();
        Program program = program();
        List<Planned> steps = enforceOnly
                ? program.steps().stream().filter(p -> p.step().enforcesNewRows()).toList() : program.steps();
        if (!enforceOnly && !program.plan().complete()) {
            refuseWhileNullsRemain();
        }
        List<MigrationReport.StepOutcome> outcomes = new ArrayList<>();
        int ran = 0;
        for (int i = 0; i < steps.size() && ran < limit; i++) {
            MigrationReport.StepOutcome outcome = runStep(steps.get(i), i + 1, steps.size());
            outcomes.add(outcome);
            if (outcome.ran()) {
                ran++;
            }
        }
        MigrationReport report = new MigrationReport(subject, outcomes, Duration.ofNanos(System.nanoTime() - start));
        LOG.atInfo().addKeyValue("target", subject).addKeyValue("stepsRun", report.ran().size())
                .addKeyValue("attempts", report.attempts()).addKeyValue("tookMillis", report.took().toMillis())
                .log("Migration of {}: {} of {} steps ran in {} ms", subject, report.ran().size(), outcomes.size(),
                        report.took().toMillis());
        return report;
    }

    // ---- planning --------------------------------------------------------------------------

    private Program program() {
        Target target = db.target(cutover);
        return Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "read the catalog to plan the migration of "
                + subject, dsl -> {
            ColumnState state = readState(dsl);
            List<Planned> steps = new ArrayList<>();
            if (db.serverVersion().hasNotNullConstraints()) {
                planNotNullConstraint(target, state, steps);
            } else {
                planCheckConstraint(target, state, steps);
            }
            if (cutover.referencedTable().isPresent()) {
                planForeignKey(dsl, target, state, steps);
            }
            List<MigrationStep> views = steps.stream().map(p -> withDone(p.step(), p.done().test(state))).toList();
            MigrationPlan plan = new MigrationPlan(subject, db.serverVersion().toString(), settings.lockTimeout(),
                    settings.validateTimeout(), views);
            return new Program(plan, steps);
        });
    }

    private static MigrationStep withDone(MigrationStep step, boolean done) {
        return new MigrationStep(step.name(), step.sql(), step.lockLevel(), step.scans(), done, step.enforcesNewRows());
    }

    private ColumnState readState(DSLContext dsl) {
        return Catalog.columnState(dsl, cutover.schema(), cutover.table(), cutover.column())
                .orElseThrow(() -> new CutoverConfigurationException("Column " + subject + " does not exist (any more)"));
    }

    /**
     * PostgreSQL 12 to 17: CHECK (col IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL, DROP CHECK. The CHECK
     * the library adds is named {@code <table>_<column>_cutover_not_null}; only a CHECK of that name and of
     * that definition is dropped at the end. A CHECK (col IS NOT NULL) of the user's, of another name, is
     * used instead of adding one (validated if it is not yet) and stays.
     */
    private void planCheckConstraint(Target target, ColumnState state, List<Planned> steps) {
        String ours = checkName(cutover);
        String name = state.check(ours).isPresent() ? ours : state.notNullConstraints().stream()
                .filter(NotNullConstraint::check).findFirst().map(NotNullConstraint::name).orElse(ours);
        if (!state.notNull() && state.check(name).isEmpty() && state.constraintNames().contains(name)) {
            throw nameTaken(name, false);
        }
        String column = Identifiers.display(cutover.column());
        Map<Long, LockLevel> exclusive = Map.of(state.tableOid(), LockLevel.ACCESS_EXCLUSIVE);
        steps.add(planned("add CHECK (" + column + " IS NOT NULL) NOT VALID", Kind.ADD_NOT_NULL, LockLevel.ACCESS_EXCLUSIVE,
                false, DSL.query("ALTER TABLE {0} ADD CONSTRAINT {1} CHECK ({2} IS NOT NULL) NOT VALID",
                        target.tableName(), DSL.name(name), DSL.name(cutover.column())),
                exclusive, name, s -> s.notNull() || s.check(name).isPresent()));
        steps.add(planned("validate CHECK constraint " + Identifiers.display(name), Kind.VALIDATE_NOT_NULL,
                LockLevel.SHARE_UPDATE_EXCLUSIVE, true,
                DSL.query("ALTER TABLE {0} VALIDATE CONSTRAINT {1}", target.tableName(), DSL.name(name)),
                Map.of(state.tableOid(), LockLevel.SHARE_UPDATE_EXCLUSIVE), name,
                s -> s.notNull() || s.check(name).map(NotNullConstraint::validated).orElse(false)));
        steps.add(planned("set " + column + " NOT NULL (no scan: the valid CHECK proves it)", Kind.SET_NOT_NULL,
                LockLevel.ACCESS_EXCLUSIVE, false,
                DSL.query("ALTER TABLE {0} ALTER COLUMN {1} SET NOT NULL", target.tableName(), DSL.name(cutover.column())),
                exclusive, name, ColumnState::notNull));
        if (!name.equals(ours)) {
            return;
        }
        steps.add(planned("drop CHECK constraint " + Identifiers.display(name) + ", now redundant", Kind.DROP_CHECK,
                LockLevel.ACCESS_EXCLUSIVE, false,
                DSL.query("ALTER TABLE {0} DROP CONSTRAINT {1}", target.tableName(), DSL.name(name)),
                exclusive, name, s -> s.notNull() && s.check(name).isEmpty()));
    }

    /** The name of the CHECK (col IS NOT NULL) the migration adds on PostgreSQL 12 to 17. */
    static String checkName(NotNullCutover cutover) {
        return Identifiers.fit(cutover.table() + "_" + cutover.column() + "_cutover_not_null");
    }

    /** PostgreSQL 18: NOT NULL NOT VALID, VALIDATE. */
    private void planNotNullConstraint(Target target, ColumnState state, List<Planned> steps) {
        String name = state.catalogued().map(NotNullConstraint::name)
                .orElse(Identifiers.fit(cutover.table() + "_" + cutover.column() + "_not_null"));
        if (state.catalogued().isEmpty() && state.constraintNames().contains(name)) {
            throw nameTaken(name, false);
        }
        String column = Identifiers.display(cutover.column());
        steps.add(planned("add NOT NULL constraint on " + column + " NOT VALID", Kind.ADD_NOT_NULL, LockLevel.ACCESS_EXCLUSIVE,
                false, DSL.query("ALTER TABLE {0} ADD CONSTRAINT {1} NOT NULL {2} NOT VALID",
                        target.tableName(), DSL.name(name), DSL.name(cutover.column())),
                Map.of(state.tableOid(), LockLevel.ACCESS_EXCLUSIVE), name, s -> s.catalogued().isPresent()));
        steps.add(planned("validate NOT NULL constraint " + Identifiers.display(name), Kind.VALIDATE_NOT_NULL,
                LockLevel.SHARE_UPDATE_EXCLUSIVE, true,
                DSL.query("ALTER TABLE {0} VALIDATE CONSTRAINT {1}", target.tableName(), DSL.name(name)),
                Map.of(state.tableOid(), LockLevel.SHARE_UPDATE_EXCLUSIVE), name,
                s -> s.catalogued().map(NotNullConstraint::validated).orElse(false)));
    }

    /** ADD FOREIGN KEY ... NOT VALID (dropping a different one in the same statement when told to), VALIDATE. */
    private void planForeignKey(DSLContext dsl, Target target, ColumnState state, List<Planned> steps) {
        String refSchema = cutover.referencedSchema().orElseThrow();
        String refTable = cutover.referencedTable().orElseThrow();
        String refColumn = cutover.referencedColumn().orElseThrow();
        ReferentialAction action = cutover.onDelete().orElseThrow();
        List<String> columns = List.of(cutover.column());
        Predicate<ForeignKey> sameDefinition = fk -> fk.columns().equals(columns) && fk.referencedSchema().equals(refSchema)
                && fk.referencedTable().equals(refTable) && fk.referencedColumns().equals(List.of(refColumn)) && fk.onDelete() == action;
        String name = cutover.foreignKey().orElseGet(() -> state.foreignKeysOn(cutover.column()).stream().filter(sameDefinition)
                .findFirst().map(ForeignKey::name)
                .orElse(Identifiers.fit(cutover.table() + "_" + cutover.column() + "_fkey")));
        Predicate<ForeignKey> ours = fk -> fk.name().equals(name) && sameDefinition.test(fk);
        String expected = Identifiers.display(refSchema, refTable) + "(" + Identifiers.display(refColumn) + ") ON DELETE " + action.sql();
        boolean present = state.foreignKeys().stream().anyMatch(ours);
        List<ForeignKey> conflicts = present ? List.of() : state.foreignKeys().stream()
                .filter(fk -> fk.name().equals(name) || fk.columns().equals(columns)).toList();
        if (!present && conflicts.stream().noneMatch(fk -> fk.name().equals(name)) && state.constraintNames().contains(name)) {
            throw nameTaken(name, true);
        }
        if (!conflicts.isEmpty() && !settings.replaceForeignKey()) {
            throw new CutoverConfigurationException(describe(conflicts) + ", but the cutover of " + subject + " expects "
                    + Identifiers.display(name) + " referencing " + expected + ". Nothing was changed. Drop "
                    + (conflicts.size() == 1 ? "it" : "them") + " yourself, or build the migration with replaceForeignKey(true) "
                    + "to drop " + (conflicts.size() == 1 ? "it" : "them")
                    + " in the same short transaction that adds the expected foreign key.");
        }
        boolean partitioned = Catalog.table(dsl, cutover.schema(), cutover.table()).map(t -> t.relkind().equals("p")).orElse(false);
        if (!present && partitioned && !db.serverVersion().hasNotNullConstraints()) {
            throw new CutoverConfigurationException("Foreign key " + Identifiers.display(name) + " cannot be added NOT VALID to "
                    + cutover.qualifiedTable() + ": it is a partitioned table, and PostgreSQL " + db.serverVersion().major()
                    + " would validate the foreign key while holding a lock that stops writes (NOT VALID foreign keys on "
                    + "partitioned tables need PostgreSQL 18). Nothing was changed. Add the foreign key to each partition NOT VALID "
                    + "and validate it there, then attach it to the parent, or add it in a maintenance window.");
        }
        long refOid = Catalog.table(dsl, refSchema, refTable).orElseThrow().oid();
        Map<Long, LockLevel> addLocks = new LinkedHashMap<>();
        addLocks.put(refOid, LockLevel.SHARE_ROW_EXCLUSIVE);
        LockLevel addLevel = conflicts.isEmpty() ? LockLevel.SHARE_ROW_EXCLUSIVE : LockLevel.ACCESS_EXCLUSIVE;
        addLocks.put(state.tableOid(), addLevel);
        List<QueryPart> parts = new ArrayList<>(List.of(target.tableName(), DSL.name(name), DSL.name(cutover.column()),
                DSL.name(refSchema, refTable), DSL.name(refColumn), DSL.keyword(action.sql())));
        StringBuilder template = new StringBuilder("ALTER TABLE {0} ");
        for (ForeignKey conflict : conflicts) {
            template.append("DROP CONSTRAINT {").append(parts.size()).append("}, ");
            parts.add(DSL.name(conflict.name()));
        }
        template.append("ADD CONSTRAINT {1} FOREIGN KEY ({2}) REFERENCES {3} ({4}) ON DELETE {5} NOT VALID");
        String stepName = (conflicts.isEmpty() ? "" : "replace " + String.join(", ", conflicts.stream()
                .map(fk -> Identifiers.display(fk.name())).toList()) + ": ")
                + "add foreign key " + Identifiers.display(name) + " NOT VALID";
        steps.add(planned(stepName, Kind.ADD_FOREIGN_KEY, addLevel, false,
                DSL.query(template.toString(), parts.toArray(QueryPart[]::new)), addLocks, name,
                s -> s.foreignKeys().stream().anyMatch(ours)));
        steps.add(planned("validate foreign key " + Identifiers.display(name), Kind.VALIDATE_FOREIGN_KEY,
                LockLevel.SHARE_UPDATE_EXCLUSIVE, true,
                DSL.query("ALTER TABLE {0} VALIDATE CONSTRAINT {1}", target.tableName(), DSL.name(name)),
                Map.of(state.tableOid(), LockLevel.SHARE_UPDATE_EXCLUSIVE), name,
                s -> s.foreignKeys().stream().anyMatch(fk -> ours.test(fk) && fk.validated())));
    }

    private static String describe(List<ForeignKey> keys) {
        List<String> each = keys.stream().map(fk -> "foreign key " + Identifiers.display(fk.name()) + " on ("
                + String.join(", ", fk.columns().stream().map(Identifiers::display).toList()) + ") references " + fk.target()
                + " ON DELETE " + fk.onDelete().sql()).toList();
        return (keys.size() == 1 ? "Existing " : "Existing foreign keys: ") + String.join("; ", each);
    }

    private CutoverConfigurationException nameTaken(String name, boolean foreignKey) {
        return new CutoverConfigurationException("Constraint " + Identifiers.display(name) + " already exists on "
                + cutover.qualifiedTable() + " but is not the one the migration of " + subject + " needs. Nothing was changed. "
                + (foreignKey ? "Rename or drop it, or give the foreign key another name with NotNullCutover.builder(...)"
                + ".foreignKey(...)." : "Rename or drop it, then run the migration again."));
    }

    private static Planned planned(String name, Kind kind, LockLevel level, boolean scans, Query query, Map<Long, LockLevel> locks,
                                   String constraint, Predicate<ColumnState> done) {
        String sql = Sql.renderer().render(query);
        return new Planned(new MigrationStep(name, sql, level, scans, false, kind == Kind.ADD_NOT_NULL), kind, query, locks,
                constraint, done);
    }

    // ---- running ---------------------------------------------------------------------------

    private void refuseWhileNullsRemain() {
        NullProbe probe = settings.db().probe(cutover);
        if (!probe.exists()) {
            return;
        }
        long count = probe.count();
        throw new MigrationBlockedException("Migration of " + subject + " refused: " + count + (count == 1 ? " row" : " rows")
                + " in " + cutover.qualifiedTable() + (count == 1 ? " has " : " have ") + Identifiers.display(cutover.column())
                + " IS NULL. Nothing was changed. Remediate (Remediation.builder(db, cutover)), then run the migration again; "
                + "do not force-forward." + enforcedNote());
    }

    /** When the enforce phase is in place: which constraint refuses new NULLs meanwhile. */
    private String enforcedNote() {
        ColumnState state = Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(),
                "read the catalog for the migration of " + subject, this::readState);
        return state.notValidConstraint().map(c -> " New NULLs are refused meanwhile: the NOT VALID "
                + (c.check() ? "CHECK" : "NOT NULL") + " constraint " + Identifiers.display(c.name())
                + " is in place, so the count can only fall.").orElse("");
    }

    private MigrationReport.StepOutcome runStep(Planned p, int index, int total) {
        long start = System.nanoTime();
        String name = p.step().name();
        int[] attempts = {0};
        long[] waited = {0};
        boolean[] executed = {false};
        long initial = Math.max(10, settings.lockTimeout().toMillis());
        Retry retry = Retries.backoff("cutover-migration", Integer.MAX_VALUE, Duration.ofMillis(initial), Duration.ofSeconds(2),
                this::remainingMillis, e -> isLockFailure(e) && remainingMillis() > 0);
        retry.getEventPublisher().onRetry(e -> {
            waited[0] += e.getWaitInterval().toNanos();
            String state2 = Sql.sqlState(e.getLastThrowable());
            LOG.atWarn().addKeyValue("target", subject).addKeyValue("step", name).addKeyValue("attempt", e.getNumberOfRetryAttempts())
                    .addKeyValue("sqlState", state2).addKeyValue("waitMillis", e.getWaitInterval().toMillis())
                    .log("Step '{}' on {} could not get its lock within {} ms; retrying in {} ms", name, subject,
                            settings.lockTimeout().toMillis(), e.getWaitInterval().toMillis());
            publish(new MigrationEvent.Retrying(name, e.getNumberOfRetryAttempts(), state2, e.getWaitInterval()));
        });
        try {
            retry.executeCallable(() -> {
                long waitedForTable = waitForTable(p, index, total);
                if (waitedForTable < 0) {
                    executed[0] = false;
                    return null;
                }
                attempts[0]++;
                waited[0] += waitedForTable;
                executed[0] = attempt(p, waited);
                return null;
            });
        } catch (CutoverException e) {
            if (doneMeanwhile(p, e)) {
                // Another session running the same migration got there first (duplicate constraint, or our lock timed out behind it).
                LOG.atInfo().addKeyValue("target", subject).addKeyValue("step", name)
                        .log("Step {} of {} on {} was done by another session meanwhile: {}", index, total, subject, name);
                publish(new MigrationEvent.Skipped(name));
                return new MigrationReport.StepOutcome(name, false, attempts[0], Duration.ofNanos(waited[0]),
                        Duration.ofNanos(System.nanoTime() - start));
            }
            throw failure(p, index, total, e);
        } catch (Exception e) {
            throw new CutoverException("Step '" + name + "' of the migration of " + subject + " failed: " + e, e);
        }
        if (attempts[0] == 0) {
            publish(new MigrationEvent.Skipped(name));
            LOG.atDebug().addKeyValue("target", subject).addKeyValue("step", name).log("Step {} of {} already done: {}", index, total, name);
            return new MigrationReport.StepOutcome(name, false, 0, Duration.ZERO, Duration.ofNanos(System.nanoTime() - start));
        }
        MigrationReport.StepOutcome outcome = new MigrationReport.StepOutcome(name, executed[0], attempts[0],
                Duration.ofNanos(waited[0]), Duration.ofNanos(System.nanoTime() - start));
        LOG.atInfo().addKeyValue("target", subject).addKeyValue("step", name).addKeyValue("attempts", attempts[0])
                .addKeyValue("waitedMillis", outcome.waited().toMillis()).addKeyValue("tookMillis", outcome.took().toMillis())
                .log("Step {} of {} on {} done: {}", index, total, subject, name);
        publish(executed[0] ? new MigrationEvent.Done(name, outcome) : new MigrationEvent.Skipped(name));
        return outcome;
    }

    private boolean doneMeanwhile(Planned p, CutoverException failure) {
        if (!(failure instanceof CutoverDatabaseException)) {
            return false;
        }
        try {
            return p.done().test(Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(),
                    "read the catalog for the migration of " + subject, this::readState));
        } catch (CutoverException e) {
            failure.addSuppressed(e);
            return false;
        }
    }

    /** A lock timeout or a deadlock: the table was busy; another attempt may succeed. */
    private static boolean isLockFailure(Throwable e) {
        String state = Sql.sqlState(e);
        return state != null && LOCK_FAILURES.contains(state);
    }

    private long remainingMillis() {
        return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    /**
     * {@link #attempt(Planned)}; when it fails on its lock, adds its time to {@code waited[0]}: it sat in the
     * lock queue behind other transactions until its lock_timeout (or the deadlock check).
     */
    private boolean attempt(Planned p, long[] waited) {
        long start = System.nanoTime();
        try {
            return attempt(p);
        } catch (CutoverException e) {
            if (isLockFailure(e)) {
                waited[0] += System.nanoTime() - start;
            }
            throw e;
        }
    }

    /** One transaction: the timeouts, the catalog once more (someone may have done the step), the statement. */
    private boolean attempt(Planned p) {
        Duration timeout = p.step().scans() ? settings.validateTimeout() : db.settings().probeTimeout();
        Sql.Timeouts timeouts = Sql.Timeouts.statement(timeout).lock(settings.lockTimeout()).applicationName(APPLICATION_NAME);
        return Sql.inTransaction(db.dataSource(), timeouts, "run step '" + p.step().name() + "' of the migration of " + subject, dsl -> {
            if (p.done().test(readState(dsl))) {
                return false;
            }
            dsl.execute(p.query());
            return true;
        });
    }

    /**
     * Reads the catalog, then, unless the step is done, waits until no other backend has held a
     * conflicting lock on the step's tables for longer than the lock timeout, polling; bounded by
     * the deadline. One connection for both.
     *
     * @return -1 when the step is done; else the time waited from the first sight of a conflicting holder
     *         (long, or of unknown age and still watched), in nanoseconds (0 when there was none)
     */
    private long waitForTable(Planned p, int index, int total) {
        long[] firstSeen = {0};
        boolean done = Sql.autocommit(db.dataSource(), "look for transactions holding " + cutover.qualifiedTable(), dsl -> {
            if (p.done().test(readState(dsl))) {
                return true;
            }
            long pause = FIRST_POLL.toMillis();
            boolean told = false;
            Map<String, Long> sightings = new HashMap<>();
            while (true) {
                boolean[] watching = {false};
                List<Blocker> blockers = blockers(dsl, p, settings.lockTimeout(), sightings, watching);
                if (blockers.isEmpty() && (!watching[0] || remainingMillis() <= 0)) {
                    return false;
                }
                if (firstSeen[0] == 0) {
                    // From the first sight of a holder, counted long or still watched: the wait is real either way.
                    firstSeen[0] = System.nanoTime();
                }
                if (blockers.isEmpty()) {
                    // A lock of unknown age (another role's session): watched for the lock timeout before it counts as long.
                    sleep(p, Math.min(FIRST_POLL.toMillis(), remainingMillis()));
                    continue;
                }
                long remaining = remainingMillis();
                if (remaining <= 0) {
                    throw timeout(p, index, total, blockers, null);
                }
                if (!told) {
                    told = true;
                    LOG.atWarn().addKeyValue("target", subject).addKeyValue("step", p.step().name())
                            .addKeyValue("blockers", blockers.size())
                            .log("Step '{}' on {} waits for {} transaction(s) holding the table longer than {} ms: {}",
                                    p.step().name(), subject, blockers.size(), settings.lockTimeout().toMillis(), blockers);
                    publish(new MigrationEvent.Waiting(p.step().name(), blockers));
                }
                sleep(p, Math.min(pause, remaining));
                pause = Math.min(pause * 2, LONGEST_POLL.toMillis());
            }
        });
        if (done) {
            return -1;
        }
        return firstSeen[0] == 0 ? 0 : System.nanoTime() - firstSeen[0];
    }

    private void sleep(Planned p, long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CutoverException("Interrupted while step '" + p.step().name() + "' of the migration of " + subject
                    + " waited for other transactions; nothing was changed by this step.", e);
        }
    }

    /**
     * The backends holding a lock that conflicts with the step's for longer than {@code longerThan}. A
     * lock of unknown age (another role's session, seen by a role without {@code pg_read_all_stats})
     * is timed from its first sighting in {@code sightings}, by its transaction: it counts as long once
     * the same transaction has held it for {@code longerThan}; until then {@code watching[0]} is set.
     */
    private static List<Blocker> blockers(DSLContext dsl, Planned p, Duration longerThan, Map<String, Long> sightings,
                                          boolean[] watching) {
        long now = System.nanoTime();
        List<Blocker> all = new ArrayList<>();
        Set<String> current = new HashSet<>();
        for (Map.Entry<Long, LockLevel> lock : p.locks().entrySet()) {
            for (TableLocks.Holder h : TableLocks.holders(dsl, List.of(lock.getKey()), lock.getValue().conflictingModes())) {
                Blocker b = h.blocker();
                boolean isLong;
                if (b.heldFor().isPresent()) {
                    isLong = b.heldFor().get().compareTo(longerThan) > 0;
                } else {
                    String transaction = h.transaction() + "/" + b.pid();
                    current.add(transaction);
                    long first = sightings.computeIfAbsent(transaction, k -> now);
                    isLong = now - first >= longerThan.toNanos();
                    watching[0] |= !isLong;
                }
                if (isLong && all.stream().noneMatch(known -> known.pid() == b.pid())) {
                    all.add(b);
                }
            }
        }
        sightings.keySet().retainAll(current);
        return all;
    }

    private RuntimeException failure(Planned p, int index, int total, CutoverException e) {
        String state = Sql.sqlState(e);
        if (e instanceof CutoverDatabaseException && isLockFailure(e)) {
            List<Blocker> holders;
            try {
                holders = Sql.autocommit(db.dataSource(), "look for transactions holding " + cutover.qualifiedTable(),
                        dsl -> blockers(dsl, p, Duration.ZERO, new HashMap<>(), new boolean[1]));
            } catch (CutoverException lookup) {
                e.addSuppressed(lookup);
                holders = List.of();
            }
            return timeout(p, index, total, holders, e);
        }
        String column = Identifiers.display(cutover.column());
        String constraint = Identifiers.display(p.constraint());
        if (p.kind() == Kind.VALIDATE_NOT_NULL && ("23514".equals(state) || "23502".equals(state))) {
            return new MigrationBlockedException("NULLs appeared during the migration of " + subject + ": remediate and re-run. "
                    + "VALIDATE CONSTRAINT " + constraint + " found rows in " + cutover.qualifiedTable() + " with " + column
                    + " IS NULL, written after the check before the first step. The NOT VALID constraint " + constraint
                    + " stays in place, so new NULLs are refused meanwhile; remediate the existing rows, then run the migration "
                    + "again: the steps done are skipped.", e);
        }
        if (p.kind() == Kind.VALIDATE_FOREIGN_KEY && "23503".equals(state)) {
            return new MigrationBlockedException("Rows of " + cutover.qualifiedTable() + " reference missing rows: VALIDATE "
                    + "CONSTRAINT " + constraint + " found " + column + " values that " + Identifiers.display(
                    cutover.referencedSchema().orElseThrow(), cutover.referencedTable().orElseThrow()) + "("
                    + Identifiers.display(cutover.referencedColumn().orElseThrow()) + ") does not hold. The NOT VALID foreign key "
                    + constraint + " stays in place, so new rows are checked meanwhile; fix those rows, then run the migration "
                    + "again: the steps done are skipped.", e);
        }
        return e;
    }

    private MigrationTimeoutException timeout(Planned p, int index, int total, List<Blocker> blockers, Throwable cause) {
        StringBuilder m = new StringBuilder("Migration of ").append(subject).append(" stopped at step ").append(index).append(" of ")
                .append(total).append(" (").append(p.step().name()).append(", ").append(p.step().lockLevel().sql())
                .append(" lock): the deadline of ").append(human(settings.deadline())).append(" passed while other transactions held ")
                .append(cutover.qualifiedTable()).append(" (lock_timeout ").append(settings.lockTimeout().toMillis())
                .append(" ms).");
        if (blockers.isEmpty()) {
            m.append(" No backend holds a conflicting lock now: the table was busy with many short transactions.\n");
        } else {
            m.append(" Blocking backends, longest first:");
            for (Blocker b : blockers) {
                m.append("\n  ").append(b);
            }
            m.append('\n');
        }
        m.append("This step changed nothing; the steps before it are done and will be skipped. End or wait out those "
                + "transactions (pg_cancel_backend or pg_terminate_backend(pid) if they are stuck), or allow a longer deadline, "
                + "then run the migration again.");
        return new MigrationTimeoutException(m.toString(), blockers, cause);
    }

    /** {@code 2 s}, {@code 10 min}, {@code 250 ms}. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + " s";
        }
        return ms + " ms";
    }

    private void publish(MigrationEvent event) {
        for (Consumer<? super MigrationEvent> listener : settings.listeners()) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("target", subject).addKeyValue("event", event)
                        .log("A migration listener failed on {}: {}", event, e.toString());
            }
        }
    }
}
