package dev.cutover.core.migrate;

import dev.cutover.core.CutoverException;
import java.util.List;

/**
 * The migration's deadline passed while a step waited for other transactions to let go of the
 * table. The step that timed out changed nothing; the steps before it are done and will be
 * skipped by the next run. {@link #blockers()} names who held the table.
 */
public class MigrationTimeoutException extends CutoverException {

    private static final long serialVersionUID = 1L;

    private final transient List<Blocker> blockers;

    public MigrationTimeoutException(String message, List<Blocker> blockers, Throwable cause) {
        super(message, cause);
        this.blockers = List.copyOf(blockers);
    }

    /** The backends that held a conflicting lock on the table when the deadline passed, longest first. */
    public List<Blocker> blockers() {
        return blockers;
    }
}
