package dev.cutover.core.gate;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One evaluation of a {@link Gate}.
 *
 * <pre>{@code
 * Decision d = gate.evaluate();
 * d.verdict();     // GO, NO_GO or UNKNOWN
 * d.nullCount();   // OptionalLong[3], empty when the probe failed
 * d.reason();      // what it means and what to do next
 * }</pre>
 *
 * @param target    the cutover's subject, e.g. {@code public."user".organization_id}
 * @param verdict   GO, NO_GO or UNKNOWN
 * @param nullCount the NULL count read; empty when the probe failed
 * @param baseline  the count the gate tolerates
 * @param latched   whether the gate is latched at NO_GO after this evaluation
 * @param reason    the decision in words, with the next step
 * @param at        when the evaluation was made (this JVM's clock)
 * @param error     why the probe failed, when it did
 */
public record Decision(String target, Verdict verdict, OptionalLong nullCount, long baseline, boolean latched,
                       String reason, Instant at, Optional<String> error) {

    public Decision {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(nullCount, "nullCount");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(error, "error");
    }

    /** Whether the rollout may go on. */
    public boolean isGo() {
        return verdict == Verdict.GO;
    }

    /** Whether the probe failed this time. */
    public boolean probeFailed() {
        return nullCount.isEmpty();
    }

    @Override
    public String toString() {
        return verdict + " " + target + " (count " + (nullCount.isPresent() ? String.valueOf(nullCount.getAsLong()) : "unknown")
                + ", baseline " + baseline + (latched ? ", latched" : "") + "): " + reason;
    }
}
