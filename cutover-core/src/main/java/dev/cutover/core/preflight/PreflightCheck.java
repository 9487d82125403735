package dev.cutover.core.preflight;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import java.util.Objects;

/**
 * One named item of the Stage B checklist. {@link PreflightChecks} has the runbook's four;
 * any other is a name and a lambda. A check that throws fails, with the exception named in
 * the report; it does not stop the other checks.
 *
 * <pre>{@code
 * PreflightCheck noLongTransactions = PreflightCheck.of("no long transactions", db -> {
 *     long open = countLongTransactions(db.dataSource());
 *     return open == 0
 *             ? PreflightCheck.Outcome.pass("no transaction open for more than 5 minutes")
 *             : PreflightCheck.Outcome.fail(open + " transactions open for more than 5 minutes: end them first");
 * });
 * }</pre>
 */
public interface PreflightCheck {

    /** What is checked, as the checklist shows it, e.g. {@code reconciliation clear}. */
    String name();

    /**
     * Runs the check.
     *
     * @param db the database the preflight runs against
     * @return passed or failed, with a detail that says why (and, when failed, what to do)
     * @throws Exception when the check cannot run; the report shows it as a failure naming the exception
     */
    Outcome run(CutoverDatabase db) throws Exception;

    /**
     * A check from a name and a lambda.
     *
     * @throws CutoverConfigurationException when the name is blank
     */
    static PreflightCheck of(String name, Body body) {
        String checked = requireName(name);
        Objects.requireNonNull(body, "body");
        return new PreflightCheck() {
            @Override
            public String name() {
                return checked;
            }

            @Override
            public Outcome run(CutoverDatabase db) throws Exception {
                return body.run(db);
            }

            @Override
            public String toString() {
                return "PreflightCheck[" + checked + "]";
            }
        };
    }

    /** The work of a check made with {@link #of}. */
    @FunctionalInterface
    interface Body {
        Outcome run(CutoverDatabase db) throws Exception;
    }

    /**
     * What a check found.
     *
     * @param passed whether the check passed
     * @param detail why, in one line; for a failure, with the next step
     */
    record Outcome(boolean passed, String detail) {

        public Outcome {
            Objects.requireNonNull(detail, "detail");
        }

        public static Outcome pass(String detail) {
            return new Outcome(true, detail);
        }

        public static Outcome fail(String detail) {
            return new Outcome(false, detail);
        }
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new CutoverConfigurationException("a preflight check needs a name, but was " + (name == null ? "null" : "blank"));
        }
        return name.strip();
    }
}
