package dev.cutover.core.remediation;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One remediation run of a cutover as its journal shows it ({@link Remediation#runs}). The
 * journal holds what a run changed, batch by batch, and what undo put back; a dry run is not
 * journaled, and the rows a run skipped and why it stopped are in its {@link RemediationReport}
 * only.
 *
 * @param runId    the run's id ({@link RemediationReport#runId()}, {@link Remediation#undo})
 * @param started  when the run's first batch was journaled
 * @param ended    when its last batch was journaled
 * @param assigned rows the run set
 * @param restored rows an undo of the run put back to NULL
 * @param undone   an undo of the run went through every journal entry (rows written since stay as they are)
 * @param policies the policies that chose the values, as the journal names them, sorted
 */
public record JournaledRun(UUID runId, Instant started, Instant ended, long assigned, long restored, boolean undone,
                             List<String> policies) {

    public JournaledRun {
        policies = List.copyOf(policies);
    }
}
