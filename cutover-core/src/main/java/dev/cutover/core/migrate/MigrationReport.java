package dev.cutover.core.migrate;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link NotNullMigration#run()} did.
 *
 * @param subject the column, e.g. {@code public."user".organization_id}
 * @param steps   every step of the plan, in order
 * @param took    wall time of the whole run
 */
public record MigrationReport(String subject, List<StepOutcome> steps, Duration took) {

    public MigrationReport {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(took, "took");
        steps = List.copyOf(steps);
    }

    /**
     * One step of a run.
     *
     * @param name     the step's name, as in the plan
     * @param ran      whether it ran; {@code false} when the catalog showed it done already
     * @param attempts transactions tried (0 when skipped; more than 1 after lock timeouts)
     * @param waited   time spent waiting for other transactions to let go of the table (watching them, and queued
     *                 in attempts that hit their lock timeout), and in backoff
     * @param took     wall time of the step, waiting included
     */
    public record StepOutcome(String name, boolean ran, int attempts, Duration waited, Duration took) {

        @Override
        public String toString() {
            return name + ": " + (ran ? "ran, " + attempts + (attempts == 1 ? " attempt" : " attempts") + ", waited "
                    + waited.toMillis() + " ms, took " + took.toMillis() + " ms" : "already done");
        }
    }

    /** The steps that ran in this run. */
    public List<StepOutcome> ran() {
        return steps.stream().filter(StepOutcome::ran).toList();
    }

    /** Total attempts over all steps. */
    public int attempts() {
        return steps.stream().mapToInt(StepOutcome::attempts).sum();
    }

    /** A summary for people, one step per line. */
    public String render() {
        StringBuilder s = new StringBuilder("Migration of ").append(subject).append(": ").append(ran().size()).append(" of ")
                .append(steps.size()).append(" steps ran in ").append(took.toMillis()).append(" ms");
        for (StepOutcome step : steps) {
            s.append("\n  ").append(step);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
