package dev.cutover.core.gate;

import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.Texts;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One monitor's evaluations against the shared latch, and how they are logged: a state table
 * dropped meanwhile is created again; a shared state that cannot be read or written gives a
 * decision that is never a GO, and its error is logged once while it lasts, without a stack trace.
 */
final class SharedEvaluation {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverMonitor.class);
    private static final String UNDEFINED_TABLE = "42P01";

    private final NullBaselineGate gate;
    private final ObservationStore store;
    private final SharedLatch shared;
    private final String instance;
    private final NotNullCutover cutover;
    private volatile Verdict lastVerdict;
    private volatile String stateError;

    SharedEvaluation(NullBaselineGate gate, ObservationStore store, SharedLatch shared, String instance) {
        this.gate = gate;
        this.store = store;
        this.shared = shared;
        this.instance = instance;
        this.cutover = gate.cutover();
    }

    /** The step of one probe against the shared latch; {@code null} when closed meanwhile. */
    NullBaselineGate.Step evaluate(NullBaselineGate.Probed probed, BooleanSupplier closed) {
        try {
            NullBaselineGate.Step step = evaluateShared(probed, closed);
            stateReadable();
            return step;
        } catch (CutoverDatabaseException e) {
            if (closed.getAsBoolean()) {
                return null;
            }
            stateUnreadable(e);
            return new NullBaselineGate.Step(gate.latch(), gate.stateUnreadable(probed, shared.displayTable(cutover),
                    Texts.message(e)), false);
        }
    }

    /** Against the shared latch; a state table dropped meanwhile is created again, once. */
    private NullBaselineGate.Step evaluateShared(NullBaselineGate.Probed probed, BooleanSupplier closed) {
        try {
            return shared.evaluate(gate, probed, instance);
        } catch (CutoverDatabaseException e) {
            if (!e.sqlState().filter(UNDEFINED_TABLE::equals).isPresent() || closed.getAsBoolean()) {
                throw e;
            }
            store.forget(cutover);
            store.ensureTable(cutover);
            LOG.atWarn().addKeyValue("target", cutover.subject()).addKeyValue("table", store.displayTable(cutover))
                    .log("A state table of {} was missing ({}); created it again, with the latch this monitor held, if any", cutover.subject(), Texts.message(e));
            return shared.evaluate(gate, probed, instance);
        }
    }

    private void stateReadable() {
        if (stateError != null) {
            stateError = null;
            LOG.atInfo().addKeyValue("target", cutover.subject())
                    .log("The shared state of {} is read and written again", cutover.subject());
        }
    }

    /** Logs a failure of the shared state once, not at every evaluation, and no stack trace. */
    private void stateUnreadable(CutoverDatabaseException e) {
        String message = Texts.message(e);
        Level level = message.equals(stateError) ? Level.DEBUG : Level.ERROR;
        stateError = message;
        LOG.atLevel(level).addKeyValue("target", cutover.subject()).addKeyValue("table", shared.displayTable(cutover))
                .log("The shared state of {} cannot be read or written, so no evaluation is a GO until it can: {} Create the "
                        + "state tables with the migration role (StateTables.script) and grant the runtime role SELECT, "
                        + "INSERT, UPDATE on them. Logged once while it stays so.", cutover.subject(), message);
    }

    /** Logs a decision: warnings for NO_GO and UNKNOWN, a GO after a GO at debug. */
    void log(Decision decision) {
        Verdict previous = lastVerdict;
        lastVerdict = decision.verdict();
        Level level = switch (decision.verdict()) {
            case NO_GO, UNKNOWN -> Level.WARN;
            case GO -> previous == Verdict.GO ? Level.DEBUG : Level.INFO;
        };
        var event = LOG.atLevel(level).addKeyValue("target", decision.target()).addKeyValue("verdict", decision.verdict())
                .addKeyValue("nullCount", decision.nullCount().isPresent() ? decision.nullCount().getAsLong() : null)
                .addKeyValue("baseline", decision.baseline()).addKeyValue("latched", decision.latched());
        if (decision.error().isPresent()) {
            event = event.addKeyValue("error", decision.error().get());
        }
        event.log("{}: {}", decision.verdict(), decision.reason());
    }
}
