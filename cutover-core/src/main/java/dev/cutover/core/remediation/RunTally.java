package dev.cutover.core.remediation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a run has done so far, for its report: totals complete, lists bounded by the report limit. */
final class RunTally {

    private final int limit;
    long assigned;
    long roundAssigned;
    final Map<String, Long> byValue = new LinkedHashMap<>();
    final List<RemediationReport.Change> changes = new ArrayList<>();
    final Map<String, Long> skippedByReason = new LinkedHashMap<>();
    final List<RemediationReport.SkippedRow> skippedRows = new ArrayList<>();
    long skipped;
    long batches;
    long remaining;
    int round;

    RunTally(int limit) {
        this.limit = limit;
    }

    /** A new pass: skipped rows are those of the last round only. */
    void startRound() {
        round++;
        roundAssigned = 0;
        skipped = 0;
        skippedByReason.clear();
        skippedRows.clear();
    }

    void add(BatchStatements.BatchResult result) {
        batches++;
        roundAssigned += result.assigned();
        assigned += result.assigned();
        result.assignedByValue().forEach((value, n) -> {
            if (byValue.containsKey(value) || byValue.size() < limit) {
                byValue.merge(value, n.longValue(), Long::sum);
            }
        });
        for (RemediationReport.Change change : result.changes()) {
            if (changes.size() < limit) {
                changes.add(change);
            }
        }
        skipped += result.skipped().size();
        for (RemediationReport.SkippedRow row : result.skipped()) {
            if (skippedByReason.containsKey(row.reason()) || skippedByReason.size() < limit) {
                skippedByReason.merge(row.reason(), 1L, Long::sum);
            }
            if (skippedRows.size() < limit) {
                skippedRows.add(row);
            }
        }
    }
}
