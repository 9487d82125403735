package dev.cutover.core.preflight;

import dev.cutover.core.internal.Durations;
import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Texts;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The runbook's Stage B checklist as ready-made {@link PreflightCheck}s:
 * <ol>
 *   <li>{@link #assignmentCodeLive(Evidence)}: the assignment/finalization code is live;</li>
 *   <li>{@link #nullBaselineStable(NotNullCutover, long, Duration)}: the NULL count stayed at the
 *       baseline over a window, from the {@link CutoverMonitor}'s observations;</li>
 *   <li>{@link #reconciliationClear(String)}: a count of unresolved reconciliation items is 0;</li>
 *   <li>{@link #smoke(String, Smoke)}: named smoke checks, e.g. the create and join flows.</li>
 * </ol>
 *
 * <pre>{@code
 * Preflight.builder()
 *     .check(PreflightChecks.assignmentCodeLive("org assignment hook enabled", flags::orgAssignmentHookEnabled))
 *     .check(PreflightChecks.nullBaselineStable(cutover, 0, Duration.ofHours(24)))
 *     .check(PreflightChecks.reconciliationClear(
 *         "select count(*) from signup_finalize_failures where resolved_at is null"))
 *     .check(PreflightChecks.smoke("create flow", signupSmoke::createFlow))
 *     .check(PreflightChecks.smoke("join flow", signupSmoke::joinFlow))
 *     .build()
 *     .run(db)
 *     .requirePassed();
 * }</pre>
 */
public final class PreflightChecks {

    /** The name of the check made by {@code assignmentCodeLive}. */
    public static final String ASSIGNMENT_CODE_LIVE = "assignment code live";
    /** The name of the check made by {@code nullBaselineStable}. */
    public static final String NULL_BASELINE_STABLE = "null baseline stable";
    /** The name of the check made by {@code reconciliationClear}. */
    public static final String RECONCILIATION_CLEAR = "reconciliation clear";
    /** The prefix of the names of checks made by {@code smoke}: {@code smoke check: create flow}. */
    public static final String SMOKE_PREFIX = "smoke check: ";

    /** The default maximum gap between observations is the window divided by this (one hour of 24). */
    public static final int DEFAULT_GAP_FRACTION = 24;

    private PreflightChecks() {
    }

    /**
     * Evidence from the application that something holds, e.g. the deployed version that
     * carries the assignment hook. Returns the evidence as text; throws when it does not hold.
     */
    @FunctionalInterface
    public interface Evidence {
        String confirm() throws Exception;
    }

    /** A smoke check supplied by the application: returns when the flow works, throws when it does not. */
    @FunctionalInterface
    public interface Smoke {
        void run() throws Exception;
    }

    /**
     * Runbook item 1: the assignment/finalization code is live in production. Passes with the
     * text the evidence returns; fails when it throws (with its message) or returns nothing.
     *
     * <pre>{@code
     * PreflightChecks.assignmentCodeLive(() -> {
     *     String version = deployments.liveVersion("signup");
     *     if (version.compareTo("2026.11.3") < 0) {
     *         throw new IllegalStateException("signup " + version + " is live; the hook ships in 2026.11.3");
     *     }
     *     return "signup " + version + " is live";
     * })
     * }</pre>
     */
    public static PreflightCheck assignmentCodeLive(Evidence evidence) {
        Objects.requireNonNull(evidence, "evidence");
        return PreflightCheck.of(ASSIGNMENT_CODE_LIVE, db -> {
            String shown;
            try {
                shown = evidence.confirm();
            } catch (Exception e) {
                return notLive(Texts.message(e));
            }
            return shown == null || shown.isBlank()
                    ? notLive("the application's evidence returned nothing")
                    : PreflightCheck.Outcome.pass(shown.strip());
        });
    }

    /**
     * Runbook item 1 from a yes/no answer of the application, described by {@code what}.
     *
     * <pre>{@code
     * PreflightChecks.assignmentCodeLive("feature flag org-assignment-hook is on", flags::orgAssignmentHookOn)
     * }</pre>
     */
    public static PreflightCheck assignmentCodeLive(String what, BooleanSupplier live) {
        if (what == null || what.isBlank()) {
            throw new CutoverConfigurationException("assignmentCodeLive needs a description of what is asked, but was "
                    + (what == null ? "null" : "blank"));
        }
        Objects.requireNonNull(live, "live");
        String described = what.strip();
        return PreflightCheck.of(ASSIGNMENT_CODE_LIVE, db -> live.getAsBoolean()
                ? PreflightCheck.Outcome.pass(described)
                : notLive("\"" + described + "\" is false"));
    }

    private static PreflightCheck.Outcome notLive(String why) {
        return PreflightCheck.Outcome.fail("not confirmed: " + why
                + ". Deploy the assignment/finalization code and confirm it is live before Stage B.");
    }

    /**
     * Runbook item 2: the NULL count stayed at or below {@code baseline} over the last
     * {@code window}, as the {@link CutoverMonitor}'s observations (table
     * {@code cutover_observation}) show, measured on the database's clock. Observations must
     * cover the whole window with no gap longer than a twenty-fourth of it ({@link #DEFAULT_GAP_FRACTION}:
     * one hour of 24, so a monitor running every minute passes easily and one stopped for more
     * than an hour fails); see {@link #nullBaselineStable(NotNullCutover, long, Duration, Duration)}.
     *
     * <pre>{@code
     * PreflightChecks.nullBaselineStable(cutover, 0, Duration.ofHours(24))
     * }</pre>
     */
    public static PreflightCheck nullBaselineStable(NotNullCutover cutover, long baseline, Duration window) {
        Objects.requireNonNull(window, "window");
        return nullBaselineStable(cutover, baseline, window, window.dividedBy(DEFAULT_GAP_FRACTION));
    }

    /**
     * Runbook item 2 with the longest gap allowed between two observations. Passes only when
     * <ul>
     *   <li>an observation was made at or before the window's start, or within {@code maxGap} after it;</li>
     *   <li>no two consecutive observations are more than {@code maxGap} apart;</li>
     *   <li>the newest observation is at most {@code maxGap} old;</li>
     *   <li>no observation in the window failed (probe error);</li>
     *   <li>every count in the window is at or below {@code baseline};</li>
     *   <li>the Stage A gate (the latch all monitors of the cutover share, table {@code cutover_gate})
     *       is not latched NO_GO now, and no observation in the window, nor the one open at its start,
     *       was made while it was latched: after a rise, remediate, re-arm, and wait a full window.</li>
     * </ul>
     * The failure detail names every rule broken, with times (UTC) and the next step.
     *
     * <pre>{@code
     * PreflightChecks.nullBaselineStable(cutover, 0, Duration.ofHours(24), Duration.ofMinutes(5))
     * }</pre>
     *
     * @throws CutoverConfigurationException when the baseline is negative, the window or gap not
     *                                       positive, or the gap longer than the window
     */
    public static PreflightCheck nullBaselineStable(NotNullCutover cutover, long baseline, Duration window, Duration maxGap) {
        Objects.requireNonNull(cutover, "cutover");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(maxGap, "maxGap");
        if (baseline < 0) {
            throw new CutoverConfigurationException("baseline must be at least 0, but was " + baseline);
        }
        Durations.require("window", window, Duration.ofMillis(1), Duration.ofDays(30));
        Durations.require("maxGap", maxGap, Duration.ofMillis(1), window);
        BaselineStability stability = new BaselineStability(cutover, baseline, window, maxGap);
        return PreflightCheck.of(NULL_BASELINE_STABLE, stability::check);
    }

    /**
     * Runbook item 3: the reconciliation monitor is clear. Runs the application's SQL, a
     * single count (one row, one number), read-only and under the database's probe
     * {@code statement_timeout}, in a transaction that is rolled back afterwards (a savepoint of
     * the migration's transaction in the Flyway callback), so that a setting the query changes or
     * a lock it takes is not kept; passes when it returns 0. The detail gives the number and
     * the SQL.
     *
     * <pre>{@code
     * PreflightChecks.reconciliationClear("select count(*) from signup_finalize_failures where resolved_at is null")
     * }</pre>
     *
     * @throws CutoverConfigurationException when the SQL is blank
     */
    public static PreflightCheck reconciliationClear(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new CutoverConfigurationException("reconciliationClear needs a SQL count, e.g. \"select count(*) from "
                    + "signup_finalize_failures where resolved_at is null\", but was " + (sql == null ? "null" : "blank"));
        }
        String query = oneQuery(sql.strip());
        String shown = query.replaceAll("\\s+", " ");
        return new ReconciliationCheck(RECONCILIATION_CLEAR, db -> {
            Object value = Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "run the reconciliation query "
                    + shown, dsl -> {
                Sql.setLocal(dsl, "transaction_read_only", "on");
                return dsl.connectionResult(connection -> {
                    Object result = readCount(connection, query);
                    // Nothing the query did is kept: a setting it changed and the locks it took end here, also where
                    // the transaction is a savepoint inside the caller's (a Flyway callback's).
                    connection.rollback();
                    return result;
                });
            });
            if (value instanceof Malformed m) {
                return ReconciliationCheck.uncounted(PreflightCheck.Outcome.fail("the query must return one row with one count, "
                        + "but returned " + m.what() + ": " + shown));
            }
            if (!(value instanceof Number number)) {
                return ReconciliationCheck.uncounted(PreflightCheck.Outcome.fail("the query must return one count, but returned "
                        + (value == null ? "NULL" : value.getClass().getSimpleName() + " " + value) + ": " + shown));
            }
            long count = number.longValue();
            return new ReconciliationCheck.Counted(java.util.OptionalLong.of(count), count == 0
                    ? PreflightCheck.Outcome.pass("returned 0: " + shown)
                    : PreflightCheck.Outcome.fail("returned " + count + ", must be 0 (resolve what it counts before Stage B): " + shown));
        });
    }

    private static Object readCount(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(query)) {
            int columns = rs.getMetaData().getColumnCount();
            if (columns != 1) {
                return new Malformed(columns + " columns");
            }
            if (!rs.next()) {
                return new Malformed("no row");
            }
            Object first = rs.getObject(1);
            if (rs.next()) {
                return new Malformed("more than one row");
            }
            return first;
        }
    }

    /**
     * The reconciliation SQL as one query (a trailing semicolon dropped): a second statement,
     * such as a {@code commit} that would end the migration's transaction, or a statement that
     * is not a query, is refused before anything runs. Semicolons in literals, quoted
     * identifiers and comments do not count.
     */
    private static String oneQuery(String sql) {
        String query = sql.endsWith(";") ? sql.substring(0, sql.length() - 1).strip() : sql;
        String first = query.split("[\\s(]", 2)[0].toLowerCase(java.util.Locale.ROOT);
        if (!Set.of("select", "with", "values", "table").contains(first) || hasStatementSeparator(query)) {
            throw new CutoverConfigurationException("reconciliationClear needs one query (SELECT or WITH ... SELECT) returning "
                    + "one count; more than one statement, or a statement that is not a query, is refused: "
                    + query.replaceAll("\\s+", " "));
        }
        return query;
    }

    private static boolean hasStatementSeparator(String sql) {
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == ';') {
                return true;
            } else if (c == '\'' || c == '"') {
                int end = i + 1;
                boolean backslashes = c == '\'' && i > 0 && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E');
                while (end < sql.length() && sql.charAt(end) != c) {
                    end += backslashes && sql.charAt(end) == '\\' ? 2 : 1;
                }
                i = end + 1;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? sql.length() : end + 2;
            } else if (c == '$' && sql.indexOf('$', i + 1) > 0 && sql.substring(i + 1, sql.indexOf('$', i + 1)).matches("[A-Za-z_]*")) {
                String tag = sql.substring(i, sql.indexOf('$', i + 1) + 1);
                int end = sql.indexOf(tag, i + tag.length());
                i = end < 0 ? sql.length() : end + tag.length();
            } else {
                i++;
            }
        }
        return false;
    }

    /** A result the reconciliation query should not have. */
    private record Malformed(String what) {
    }

    /**
     * Runbook item 4: a named smoke check of the application, e.g. {@code "create flow"} and
     * {@code "join flow"}. Passes when it returns; fails with the message of what it throws.
     *
     * <pre>{@code
     * PreflightChecks.smoke("create flow", () -> signup.createUserWithNewOrganization("smoke@example.com"))
     * }</pre>
     *
     * @throws CutoverConfigurationException when the name is blank
     */
    public static PreflightCheck smoke(String name, Smoke smoke) {
        if (name == null || name.isBlank()) {
            throw new CutoverConfigurationException("a smoke check needs a name, e.g. \"create flow\", but was "
                    + (name == null ? "null" : "blank"));
        }
        Objects.requireNonNull(smoke, "smoke");
        return PreflightCheck.of(SMOKE_PREFIX + name.strip(), db -> {
            try {
                smoke.run();
            } catch (Exception | AssertionError e) {
                return PreflightCheck.Outcome.fail("failed: " + Texts.message(e));
            }
            return PreflightCheck.Outcome.pass("passed");
        });
    }
}
