package dev.cutover.core.remediation;

import dev.cutover.core.internal.Durations;
import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The runbook's remediation loop: reads the NULL rows in key order, a batch at a time, and
 * locks them ({@code FOR NO KEY UPDATE}), asks the policy about each, and sets the column in the
 * same short transaction: {@code UPDATE ... SET col = v WHERE key IN (...) AND col IS NULL}, so
 * a value someone else set meanwhile is never overwritten and a decision is made on the row
 * values the UPDATE commits against. Values travel as bind parameters and are converted by the
 * column type's input function on the server; a value holding U+0000 is skipped with a reason.
 * The key must be the primary key or the columns of a unique index over NOT NULL columns (not
 * partial, no expression); {@link Builder#build()} refuses anything else. When the policy is a
 * {@linkplain RemediationPolicies#constant constant} (named or not), every row gets the same
 * value without asking, and the read and the update of a batch are one statement, with the same
 * {@code AND col IS NULL} guard.
 *
 * <p>Every change is journaled in the same transaction, so it can be audited and
 * {@linkplain #undo undone}: the table {@code cutover_journal_batch} keeps one entry per batch,
 * value and 1,000 keys (the keys as a JSON array), and the view {@code cutover_journal} shows one row per
 * changed row ({@code run_id, action, key, old_value, new_value, policy, at}). Each entry also
 * holds the id of the batch's transaction, which undo compares with the row's {@code xmin}. Rounds repeat
 * until no NULL row remains, or a round assigns nothing; the report then names the rows left
 * and why. The NULL rows left after a round are counted through the partial NULL index when
 * there is one ({@link dev.cutover.core.NullProbe#createNullIndex()}); otherwise, on PostgreSQL
 * 14 and later, the table is read in 32 MB block ranges, one short statement each.
 *
 * <pre>{@code
 * RemediationReport report = Remediation.builder(db, cutover)
 *     .policy(RemediationPolicies.firstOf(
 *         RemediationPolicies.lookup("select id from organizations where domain = split_part(:email, '@', 2)"),
 *         RemediationPolicies.constant(defaultOrganizationId)))
 *     .batchSize(1_000)
 *     .maxRowsPerSecond(5_000)
 *     .dryRun(false)
 *     .build()
 *     .run();
 * if (!report.complete()) {
 *     log.warn("left NULL: {}", report.skippedByReason());
 * }
 * }</pre>
 *
 * <p>Failures: a batch that hits a lock timeout ({@code 55P03}), a serialization failure
 * ({@code 40001}), a deadlock ({@code 40P01}) or a lost connection ({@code 08xxx}, or a
 * backend terminated: {@code 57P01}-{@code 57P03}) is retried in a new transaction after an
 * exponential backoff with jitter, up to {@code maxAttempts} and {@code maxRetryTime}. Every
 * batch runs with {@code lock_timeout} and {@code statement_timeout}; nothing waits without a
 * bound. Memory is bounded by the batch size. The connection is marked with
 * {@code application_name = 'cutover remediation <run id>'}.
 *
 * <p>A long run: {@link #start()} runs on its own thread and returns a {@link RemediationRun}
 * to watch, pause, resume or cancel it between batches; a paused run, or one waiting for a
 * standby to catch up ({@link Builder#maxReplicaLag}), holds no connection. Every run that
 * writes is recorded in {@code cutover_remediation_run}; one whose process died, or that was
 * cancelled, goes on under its id with {@link Builder#resume(UUID)}.
 *
 * <pre>{@code
 * RemediationRun run = Remediation.builder(db, cutover).policy(policy).build().start();
 * run.pause();
 * run.resume();
 * RemediationReport report = run.await();
 * }</pre>
 */
public final class Remediation {

    private final RemediationSettings plan;
    private final UUID resume;

    private Remediation(RemediationSettings plan, UUID resume) {
        this.plan = plan;
        this.resume = resume;
    }

    /** Starts a remediation of {@code cutover}'s NULL rows. */
    public static Builder builder(CutoverDatabase db, NotNullCutover cutover) {
        return new Builder(db, cutover);
    }

    /**
     * Runs the loop until no NULL row remains, a round assigns nothing, or the rounds run out:
     * {@code start().await()}. May be called again; each call is a new run with its own id (or,
     * when built with {@link Builder#resume(UUID)}, goes on with that run). Interrupting the
     * calling thread stops the run after its batch, with outcome
     * {@link RemediationReport.Outcome#INTERRUPTED}.
     *
     * @throws CutoverDatabaseException when a batch fails for good (a non-transient error, or
     *         the retries ran out); batches committed before stay, journaled under the run id in the message
     * @throws RemediationException when the policy throws; that batch changed nothing
     * @throws CutoverConfigurationException when the run to resume cannot be resumed
     */
    public RemediationReport run() {
        return start().await();
    }

    /**
     * Starts the run on its own thread and returns its handle at once: progress, pause, resume,
     * cancel, and the report.
     *
     * <pre>{@code
     * RemediationRun run = Remediation.builder(db, cutover).policy(policy).build().start();
     * Runtime.getRuntime().addShutdownHook(new Thread(run::cancel));
     * RemediationReport report = run.await();
     * }</pre>
     *
     * @throws CutoverConfigurationException when the run to resume ({@link Builder#resume(UUID)})
     *         cannot be resumed: unknown, of another cutover, finished or undone
     */
    public RemediationRun start() {
        return RemediationRun.start(new RemediationEngine(plan, resume));
    }

    /**
     * Puts the rows a run set back to NULL where they still hold the value the run set and no
     * one wrote them since (their {@code xmin} is still the run's batch transaction), and
     * journals that as {@code undo}. Rows written since, even with the same value, are left
     * alone and counted as {@link UndoReport#changedSince()}. Each journal entry is undone once:
     * undoing again restores nothing and reports the rows as {@link UndoReport#alreadyUndone()}. The
     * journal is looked for in the database's {@code stateSchema}, else in every schema that
     * has a {@code cutover_journal_batch} table.
     *
     * <pre>{@code
     * UndoReport undone = Remediation.undo(db, report.runId());
     * }</pre>
     *
     * @throws CutoverConfigurationException when no journal holds the run
     */
    public static UndoReport undo(CutoverDatabase db, UUID runId) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(runId, "runId");
        return RemediationEngine.undo(db, runId);
    }

    /**
     * The latest remediation runs of {@code cutover} (dry runs are not journaled), newest first,
     * read from the journal in the database's {@code stateSchema} (default: the cutover's
     * schema) with the probe timeout, in a read-only transaction. Empty when there is no
     * journal yet; nothing is created.
     *
     * <pre>{@code
     * for (JournaledRun run : Remediation.runs(db, cutover, 5)) {
     *     log.info("run {} set {} rows ({} .. {}){}", run.runId(), run.assigned(), run.started(), run.ended(),
     *             run.undone() ? ", undone" : "");
     * }
     * }</pre>
     *
     * @param limit at most this many runs, 1 to 10000
     * @throws CutoverConfigurationException when {@code limit} is out of range
     * @throws CutoverDatabaseException      when the journal cannot be read
     */
    public static List<JournaledRun> runs(CutoverDatabase db, NotNullCutover cutover, int limit) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cutover, "cutover");
        if (limit < 1 || limit > 10_000) {
            throw new CutoverConfigurationException("limit must be between 1 and 10000, but was " + limit);
        }
        return JournalRuns.read(dev.cutover.core.internal.DatabaseHandle.of(db), cutover, limit);
    }

    @Override
    public String toString() {
        return "Remediation[" + plan + (resume == null ? "" : ", resuming run " + resume) + "]";
    }

    /**
     * The DDL of the remediation journal (table {@code cutover_journal_batch} and view
     * {@code cutover_journal}) and of the runs' record (table {@code cutover_remediation_run}) in {@code schema}, one statement a string, as
     * {@link dev.cutover.core.StateTables#script(String)} renders it for the migration role.
     *
     * <pre>{@code
     * Remediation.journalDdl("cutover").forEach(System.out::println);
     * }</pre>
     */
    public static java.util.List<String> journalDdl(String schema) {
        // The engine creates the view only when it is missing; a script runs again, so it replaces it.
        String checked = dev.cutover.core.catalog.Names.require("schema", schema);
        List<String> all = new ArrayList<>(dev.cutover.core.internal.Sql.renderDdl(Journal::ddl, checked).stream()
                .map(sql -> sql.replaceFirst("^create view ", "create or replace view ")).toList());
        all.addAll(dev.cutover.core.internal.Sql.renderDdl(RunLog::ddl, checked));
        return List.copyOf(all);
    }

    /** Collects the settings; each setter checks its argument at once, {@link #build()} checks them against the database. */
    public static final class Builder {
        private final CutoverDatabase db;
        private final NotNullCutover cutover;
        private RemediationPolicy policy;
        private int batchSize = 1_000;
        private int maxRowsPerSecond;
        private boolean dryRun;
        private int maxRounds = 10;
        private Duration lockTimeout = Duration.ofMillis(100);
        private Duration batchTimeout = Duration.ofSeconds(30);
        private int maxAttempts = 10;
        private Duration maxRetryTime = Duration.ofMinutes(1);
        private int reportLimit = 200;
        private Duration maxReplicaLag = Duration.ofSeconds(10);
        private UUID resume;
        private final List<Consumer<? super RemediationEvent>> listeners = new ArrayList<>();

        private Builder(CutoverDatabase db, NotNullCutover cutover) {
            this.db = Objects.requireNonNull(db, "db");
            this.cutover = Objects.requireNonNull(cutover, "cutover");
        }

        /** Decides each NULL row; required. */
        public Builder policy(RemediationPolicy policy) {
            Objects.requireNonNull(policy, "policy");
            if (this.policy != null) {
                throw new CutoverConfigurationException("policy was already set to " + this.policy
                        + "; combine policies with RemediationPolicies.firstOf(...)");
            }
            this.policy = policy;
            return this;
        }

        /**
         * The most NULL rows one batch transaction takes; default 1000. With a
         * {@linkplain RemediationPolicies#constant constant} policy on a plain table from
         * PostgreSQL 14 on (without a partial index of the NULL rows), a round walks the table's
         * blocks, and a batch takes the NULL rows of as many blocks as should hold this many, or
         * fewer when the last batch's statement took over 50 ms, so that batches stay short
         * whatever the size given. Otherwise a batch takes the next {@code batchSize} NULL rows in
         * key order.
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > 100_000) {
                throw new CutoverConfigurationException("batchSize must be between 1 and 100000, but was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Upper bound on rows set per second (a Resilience4j rate limiter); default no limit. */
        public Builder maxRowsPerSecond(int rows) {
            if (rows < 1) {
                throw new CutoverConfigurationException("maxRowsPerSecond must be at least 1, but was " + rows);
            }
            this.maxRowsPerSecond = rows;
            return this;
        }

        /** Decide and report, write nothing; default false. */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** Passes over the NULL rows at most; default 10. */
        public Builder maxRounds(int rounds) {
            if (rounds < 1 || rounds > 1_000) {
                throw new CutoverConfigurationException("maxRounds must be between 1 and 1000, but was " + rounds);
            }
            this.maxRounds = rounds;
            return this;
        }

        /** {@code lock_timeout} of each batch transaction; default 100 ms. */
        public Builder lockTimeout(Duration timeout) {
            this.lockTimeout = Durations.require("lockTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(10));
            return this;
        }

        /** {@code statement_timeout} of each batch transaction; default 30 s. */
        public Builder batchTimeout(Duration timeout) {
            this.batchTimeout = Durations.require("batchTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** Transactions tried per batch, the first included; default 10. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 100) {
                throw new CutoverConfigurationException("maxAttempts must be between 1 and 100, but was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** Time one batch may spend on retries before the run fails; default 1 minute. */
        public Builder maxRetryTime(Duration time) {
            this.maxRetryTime = Durations.require("maxRetryTime", time, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** How many rows and values the report lists (counts are always complete); default 200. */
        public Builder reportLimit(int limit) {
            if (limit < 0 || limit > 10_000) {
                throw new CutoverConfigurationException("reportLimit must be between 0 and 10000, but was " + limit);
            }
            this.reportLimit = limit;
            return this;
        }

        /**
         * Before each batch (at most every tenth of the bound, and at least once a second), reads
         * {@code pg_stat_replication} on the primary and, while a physical standby is further behind
         * than {@code lag}, waits without holding a connection, publishing
         * {@link RemediationEvent.ReplicaLagThrottled}. A standby that has replayed all the WAL
         * written is caught up, whatever its {@code replay_lag} still shows. Default 10 s. The
         * role must be a member of {@code pg_monitor} to see the standbys' positions: a role that
         * sees standbys but not their positions stops the run with a
         * {@link CutoverConfigurationException} before its next batch; {@link #ignoreReplicaLag()}
         * turns the check off.
         *
         * <pre>{@code
         * Remediation.builder(db, cutover).policy(policy).maxReplicaLag(Duration.ofSeconds(2)).build().start();
         * }</pre>
         */
        public Builder maxReplicaLag(Duration lag) {
            this.maxReplicaLag = Durations.require("maxReplicaLag", lag, Duration.ofMillis(1), Duration.ofHours(24));
            return this;
        }

        /** Runs without looking at the standbys' lag ({@link #maxReplicaLag(Duration)} off). */
        public Builder ignoreReplicaLag() {
            this.maxReplicaLag = null;
            return this;
        }

        /**
         * Goes on with run {@code runId}, which stopped before it ended (its process died, or it was
         * cancelled or interrupted), under the same run id: the rows its journal shows assigned
         * hold their values and are not read again, the NULL rows (those the policy skipped
         * included) are decided afresh, and each row is changed and journaled once. The report's
         * {@code assigned} counts the run's whole journal; its lists, the rows of this process.
         * {@link #build()} refuses a run id that is not recorded, belongs to another cutover,
         * finished, or was undone. Only one process may resume a run at a time.
         *
         * <pre>{@code
         * RemediationReport report = Remediation.builder(db, cutover)
         *     .policy(policy)
         *     .resume(UUID.fromString("8d3c...-..."))
         *     .build()
         *     .run();
         * }</pre>
         */
        public Builder resume(UUID runId) {
            Objects.requireNonNull(runId, "runId");
            if (this.resume != null) {
                throw new CutoverConfigurationException("resume was already set to run " + this.resume);
            }
            this.resume = runId;
            return this;
        }

        /** Adds a listener for progress events. */
        public Builder onEvent(Consumer<? super RemediationEvent> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Checks the settings against the database, reading only: the cutover's table, column
         * and key exist; every lookup parameter is a key or inspect column; every constant fits
         * the column's type (cast on the server).
         *
         * @throws CutoverConfigurationException naming what is wrong
         */
        public Remediation build() {
            if (policy == null) {
                throw new CutoverConfigurationException("policy is required: say how NULL rows of " + cutover.subject()
                        + " get their value, e.g. policy(RemediationPolicies.constant(...))");
            }
            RemediationSettings plan = new RemediationSettings(db, cutover, policy, batchSize, maxRowsPerSecond, dryRun, maxRounds,
                    lockTimeout, batchTimeout, maxAttempts, maxRetryTime, reportLimit, List.copyOf(listeners), maxReplicaLag);
            if (resume != null && dryRun) {
                throw new CutoverConfigurationException("resume(" + resume + ") with dryRun(true): a dry run writes nothing "
                        + "and cannot go on with a run; drop one of the two");
            }
            PlanCheck.check(plan);
            if (resume != null) {
                RunLog.checkResumable(dev.cutover.core.internal.DatabaseHandle.of(db), cutover, resume);
            }
            return new Remediation(plan, resume);
        }
    }
}
