package dev.cutover.flyway;

import dev.cutover.core.CutoverException;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@link CutoverCallback} stopped a migration. Flyway puts its own words in front ("Error while
 * executing beforeEachMigrate callback: ..."), so the message stands alone: which migration,
 * which column, the numbers, and what to do next.
 */
public class CutoverMigrationException extends CutoverException {

    private static final long serialVersionUID = 1L;

    /** Why the migration was stopped. */
    public enum Reason {
        /** The cutover migration was refused before it ran: NULL rows remain. */
        NULLS_REMAIN,
        /** The cutover migration was refused before it ran: the preflight failed. */
        PREFLIGHT_FAILED,
        /** The cutover migration ran, but the post-migration verification failed. */
        VERIFICATION_FAILED,
        /** A later migration removed the NOT NULL, and no incident override was configured. */
        GUARD_REFUSED,
        /** No migration of the project (pending or applied) is the configured cutover migration: nothing is migrated. */
        NO_SUCH_MIGRATION,
        /**
         * The cutover migration was refused before it ran: its SQL script would read the whole table
         * while holding a lock that stops its writers; the message prints the replacement files.
         */
        BLOCKING_SCRIPT
    }

    private final Reason reason;
    private final String migration;
    private final Long nullCount;

    public CutoverMigrationException(Reason reason, String migration, String message) {
        this(reason, migration, OptionalLong.empty(), message);
    }

    /** With the NULL count that blocked the migration, when it was counted. */
    public CutoverMigrationException(Reason reason, String migration, OptionalLong nullCount, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.migration = Objects.requireNonNull(migration, "migration");
        this.nullCount = Objects.requireNonNull(nullCount, "nullCount").isPresent() ? nullCount.getAsLong() : null;
    }

    /** For {@link Reason#NULLS_REMAIN}: how many rows held NULL, when the count finished. */
    public OptionalLong nullCount() {
        return nullCount == null ? OptionalLong.empty() : OptionalLong.of(nullCount);
    }

    /** Why the migration was stopped. */
    public Reason reason() {
        return reason;
    }

    /** The migration stopped: its version, or its script when it has none. */
    public String migration() {
        return migration;
    }
}
