package dev.cutover.core.preflight;

import dev.cutover.core.CutoverDatabase;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The check {@link PreflightChecks#reconciliationClear} makes: besides its outcome it gives the
 * count it read, which {@link PostMigrationSmoke} keeps with a latch.
 */
final class ReconciliationCheck implements PreflightCheck {

    /** The count read (empty when the query returned no count) and the outcome. */
    record Counted(OptionalLong count, Outcome outcome) {
        Counted {
            Objects.requireNonNull(count, "count");
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** Runs the query once. */
    @FunctionalInterface
    interface Counter {
        Counted count(CutoverDatabase db) throws Exception;
    }

    private final String name;
    private final Counter counter;

    ReconciliationCheck(String name, Counter counter) {
        this.name = name;
        this.counter = counter;
    }

    static Counted uncounted(Outcome outcome) {
        return new Counted(OptionalLong.empty(), outcome);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Outcome run(CutoverDatabase db) throws Exception {
        return counter.count(db).outcome();
    }

    /** Runs the query and gives the count with the outcome. */
    Counted count(CutoverDatabase db) throws Exception {
        return counter.count(db);
    }

    @Override
    public String toString() {
        return "PreflightCheck[" + name + "]";
    }
}
