package dev.cutover.core.remediation;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a {@link Remediation} run did, or in a dry run would do. Sensitive columns are masked
 * everywhere in it. Lists and maps are capped at the run's {@code reportLimit}; the counts
 * are always complete.
 *
 * @param runId           the run's id in the journal ({@link Remediation#undo})
 * @param subject         {@code public."user".organization_id}
 * @param dryRun          nothing was written
 * @param outcome         why the run stopped
 * @param assigned        rows set (dry run: rows that would be set)
 * @param assignedByValue rows per assigned value, as the column's text
 * @param changes         the first assigned rows, with the value and the policy that chose it
 * @param skipped         rows the last round left NULL
 * @param skippedByReason those rows per reason
 * @param skippedRows     the first of those rows, with their reason
 * @param remaining       NULL rows counted after the last round
 * @param rounds          passes over the NULL rows
 * @param batches         batch transactions committed
 * @param retries         batch attempts that failed and were retried
 * @param duration        wall time of the run
 */
public record RemediationReport(UUID runId, String subject, boolean dryRun, Outcome outcome, long assigned,
                                Map<String, Long> assignedByValue, List<Change> changes, long skipped,
                                Map<String, Long> skippedByReason, List<SkippedRow> skippedRows, long remaining,
                                int rounds, long batches, long retries, Duration duration) {

    public RemediationReport {
        assignedByValue = Collections.unmodifiableMap(new LinkedHashMap<>(assignedByValue));
        changes = List.copyOf(changes);
        skippedByReason = Collections.unmodifiableMap(new LinkedHashMap<>(skippedByReason));
        skippedRows = List.copyOf(skippedRows);
    }

    /** Why a run stopped. */
    public enum Outcome {
        /** No NULL row remains. */
        COMPLETE,
        /** A round assigned nothing: the remaining rows are skipped by the policy; see {@link #skippedByReason()}. */
        NO_PROGRESS,
        /** The configured number of rounds ran out while NULL rows kept appearing. */
        ROUNDS_EXHAUSTED,
        /** A dry run: one pass, nothing written. */
        DRY_RUN,
        /**
         * The thread waiting for the run was interrupted: the run stopped after the batch it was in;
         * {@link Remediation.Builder#resume(UUID)} goes on under the same run id.
         */
        INTERRUPTED,
        /**
         * {@link RemediationRun#cancel()} stopped the run after the batch it was in;
         * {@link Remediation.Builder#resume(UUID)} goes on under the same run id.
         */
        CANCELLED
    }

    /**
     * One row assigned (or, in a dry run, to be assigned).
     *
     * @param key     the key, masked where sensitive
     * @param columns the inspected columns, masked where sensitive
     * @param value   the value, as text (masked if the column itself is sensitive)
     * @param policy  the policy that chose it
     */
    public record Change(Map<String, Object> key, Map<String, Object> columns, String value, String policy) {
        public Change {
            key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
            columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        }

        @Override
        public String toString() {
            return key + " -> " + value + " by " + policy;
        }
    }

    /**
     * One row left NULL.
     *
     * @param key     the key, masked where sensitive
     * @param columns the inspected columns, masked where sensitive
     * @param reason  why the policy skipped it
     */
    public record SkippedRow(Map<String, Object> key, Map<String, Object> columns, String reason) {
        public SkippedRow {
            key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
            columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        }

        @Override
        public String toString() {
            return columns + ": " + reason;
        }
    }

    /** Whether no NULL row remained at the end. */
    public boolean complete() {
        return outcome == Outcome.COMPLETE;
    }

    @Override
    public String toString() {
        return "RemediationReport[" + subject + (dryRun ? " (dry run)" : "") + ", run " + runId + ": " + outcome
                + ", assigned " + assigned + ", skipped " + skipped + (skippedByReason.isEmpty() ? "" : " " + skippedByReason)
                + ", remaining " + remaining + ", " + rounds + (rounds == 1 ? " round, " : " rounds, ") + batches
                + (batches == 1 ? " batch, " : " batches, ") + retries + (retries == 1 ? " retry, " : " retries, ")
                + duration.toMillis() + " ms]";
    }
}
