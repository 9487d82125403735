package dev.cutover.core.migrate;

import dev.cutover.core.internal.Durations;
import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Makes the column NOT NULL on a live database, and adds the foreign key the cutover expects,
 * without holding up reads and writes.
 *
 * <p>PostgreSQL 12 to 17: {@code ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID},
 * {@code VALIDATE CONSTRAINT c}, {@code ALTER COLUMN col SET NOT NULL} (no scan, thanks to the
 * valid CHECK), {@code DROP CONSTRAINT c}. PostgreSQL 18: {@code ADD CONSTRAINT c NOT NULL col
 * NOT VALID}, {@code VALIDATE CONSTRAINT c}. Then, when the cutover {@code references(...)} a
 * table: {@code ADD CONSTRAINT fk FOREIGN KEY ... ON DELETE ... NOT VALID}, {@code VALIDATE
 * CONSTRAINT fk}. Only {@code VALIDATE} reads the table, under a lock that lets reads and writes
 * go on.
 *
 * <p>Never in the lock queue: each step is its own short transaction with a short
 * {@code lock_timeout} (default 50 ms), retried with exponential backoff and jitter on
 * {@code 55P03} until the {@code deadline} (default 10 minutes). Before each attempt the step
 * waits, polling {@code pg_locks} and {@code pg_stat_activity}, until no other backend has held a
 * conflicting lock on the table for longer than the lock timeout: a long transaction is waited
 * out instead of queued behind, short ones come and go. When the deadline passes, a
 * {@link MigrationTimeoutException} names the blocking backends and their queries.
 *
 * <p>Idempotent: each step reads the catalog first and is skipped when done, so running again
 * after a failure at any point finishes the job without duplicates. A constraint already on the
 * column is used rather than duplicated: on 18 a NOT NULL constraint of any name; on 12 to 17 a
 * {@code CHECK (col IS NOT NULL)} of any name, which is dropped once {@code SET NOT NULL} has made
 * it redundant if the library added it. So the NOT VALID constraint of
 * {@link #enforceForNewRows()} is validated by a later {@link #run()}, never added twice. Two sessions running the same migration at once both finish: a step the other
 * one did meanwhile counts as done.
 *
 * <p>Before the first step the migration refuses to start, changing nothing, while any row is
 * NULL ({@link dev.cutover.core.NullProbe#exists()}, bounded by the database's probe timeout).
 *
 * <pre>{@code
 * NotNullMigration migration = NotNullMigration.builder(db, cutover)
 *     .lockTimeout(Duration.ofMillis(50))
 *     .deadline(Duration.ofMinutes(10))
 *     .build();
 * System.out.println(migration.plan().toSql());     // for teams that keep SQL migrations
 * MigrationReport report = migration.run();          // refuses while NULL rows remain
 * db.verify(cutover).requirePassed();
 * }</pre>
 *
 * <p>The first step may run early, on its own: {@link #enforceForNewRows()} adds the NOT VALID
 * constraint while NULL rows remain, so new NULLs are refused at write time from then on; its SQL
 * is {@code plan().enforcePhase().toSql()}.
 */
public final class NotNullMigration {

    private final MigrationSettings settings;

    private NotNullMigration(MigrationSettings settings) {
        this.settings = settings;
    }

    /** Starts a migration of {@code cutover}'s column. */
    public static Builder builder(CutoverDatabase db, NotNullCutover cutover) {
        return new Builder(db, cutover);
    }

    /**
     * The steps for this server, each marked done when the catalog shows it done. Reads the
     * catalog only.
     *
     * @throws CutoverConfigurationException when the table, column or referenced table does not
     *         exist, or another foreign key sits on the column and {@code replaceForeignKey} is off
     */
    public MigrationPlan plan() {
        return new MigrationEngine(settings).plan();
    }

    /**
     * Runs the steps not done yet, each in its own transaction.
     *
     * @throws MigrationBlockedException   before any change when NULL rows remain; during
     *                                     {@code VALIDATE} when NULLs (or orphans) appeared meanwhile
     * @throws MigrationTimeoutException   when the deadline passed while other transactions held the table
     * @throws CutoverConfigurationException as {@link #plan()}
     * @throws CutoverDatabaseException    when a statement fails for another reason
     */
    public MigrationReport run() {
        return new MigrationEngine(settings).run(Integer.MAX_VALUE);
    }

    /**
     * The enforce phase alone: adds the NOT VALID constraint while NULL rows may still exist, so
     * that PostgreSQL refuses new NULLs at write time from that moment on and remediation only has
     * to deal with the rows written before. PostgreSQL 12 to 17: {@code ADD CONSTRAINT
     * <table>_<column>_cutover_not_null CHECK (col IS NOT NULL) NOT VALID}; 18: {@code ADD CONSTRAINT
     * c NOT NULL col NOT VALID}. No table scan; one short ACCESS EXCLUSIVE lock, taken with the
     * same discipline as {@link #run()} (short {@code lock_timeout}, long transactions waited out,
     * retries until the deadline). Skipped when the catalog shows the column refusing NULLs
     * already (a NOT NULL, or a {@code CHECK (col IS NOT NULL)} of any name, valid or not).
     *
     * <p>Later, once remediation has brought the count to 0, {@link #run()} validates that same
     * constraint and finishes (it adds no second one).
     *
     * <pre>{@code
     * NotNullMigration migration = NotNullMigration.builder(db, cutover).build();
     * migration.enforceForNewRows();          // now, while old NULLs remain
     * // inserts and updates that write organization_id = NULL fail from here on (SQLSTATE 23514, or 23502 on 18)
     * Remediation.builder(db, cutover).policy(policy).build().run();
     * migration.run();                        // VALIDATE, then NOT NULL; refuses while a NULL remains
     * db.verify(cutover).requirePassed();
     * }</pre>
     *
     * @return the one step's outcome (not run when it was done already)
     * @throws MigrationTimeoutException   when the deadline passed while other transactions held the table
     * @throws CutoverConfigurationException as {@link #plan()}
     * @throws CutoverDatabaseException    when the statement fails for another reason
     */
    public MigrationReport enforceForNewRows() {
        return new MigrationEngine(settings).enforce();
    }

    /** Runs at most {@code steps} steps that are not done yet; for tests of resuming. */
    MigrationReport run(int steps) {
        return new MigrationEngine(settings).run(steps);
    }

    @Override
    public String toString() {
        return "NotNullMigration[" + settings + "]";
    }

    /** Collects the settings; each setter checks its argument at once, {@link #build()} checks them together. */
    public static final class Builder {
        private final CutoverDatabase db;
        private final NotNullCutover cutover;
        private Duration lockTimeout = Duration.ofMillis(50);
        private Duration deadline = Duration.ofMinutes(10);
        private Duration validateTimeout = Duration.ofHours(1);
        private boolean replaceForeignKey;
        private final List<Consumer<? super MigrationEvent>> listeners = new ArrayList<>();

        private Builder(CutoverDatabase db, NotNullCutover cutover) {
            this.db = Objects.requireNonNull(db, "db");
            this.cutover = Objects.requireNonNull(cutover, "cutover");
        }

        /** {@code lock_timeout} of each step's transaction; default 50 ms. Keep it short: writers wait at most this long. */
        public Builder lockTimeout(Duration timeout) {
            this.lockTimeout = Durations.require("lockTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(1));
            return this;
        }

        /** How long the whole run may wait for the table, over all steps and retries; default 10 minutes. */
        public Builder deadline(Duration deadline) {
            this.deadline = Durations.require("deadline", deadline, Duration.ofMillis(1), Duration.ofHours(24));
            return this;
        }

        /** {@code statement_timeout} of each {@code VALIDATE}, which scans the table; default 1 hour. */
        public Builder validateTimeout(Duration timeout) {
            this.validateTimeout = Durations.require("validateTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(24));
            return this;
        }

        /**
         * Whether a foreign key on the column with another target or ON DELETE action may be
         * dropped, in the same short transaction that adds the expected one; default false
         * (the plan refuses, naming it).
         */
        public Builder replaceForeignKey(boolean replace) {
            this.replaceForeignKey = replace;
            return this;
        }

        /** Adds a listener for progress events. */
        public Builder onEvent(Consumer<? super MigrationEvent> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Checks the settings together.
         *
         * @throws CutoverConfigurationException naming what is wrong
         */
        public NotNullMigration build() {
            if (deadline.compareTo(lockTimeout) < 0) {
                throw new CutoverConfigurationException("deadline (" + deadline + ") must not be shorter than lockTimeout ("
                        + lockTimeout + ")");
            }
            return new NotNullMigration(new MigrationSettings(db, cutover, lockTimeout, deadline, validateTimeout,
                    replaceForeignKey, listeners));
        }
    }
}
