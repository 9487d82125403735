package dev.cutover.core.verify;

import java.util.List;
import java.util.Objects;

/**
 * The runbook's post-migration verification, as data and as a readable report. Produced by
 * {@code CutoverDatabase.verify(cutover)}.
 *
 * <pre>{@code
 * VerificationReport report = db.verify(cutover);
 * System.out.println(report.render());
 * report.requirePassed();   // throws CutoverVerificationException naming each failed check
 * }</pre>
 *
 * @param subject       the column, e.g. {@code public."user".organization_id}
 * @param serverVersion the server's version, e.g. {@code 18.1}
 * @param checks        every check, passed or not, in a fixed order
 */
public record VerificationReport(String subject, String serverVersion, List<VerificationCheck> checks) {

    public VerificationReport {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(serverVersion, "serverVersion");
        checks = List.copyOf(checks);
    }

    /** Whether every check passed. */
    public boolean passed() {
        return checks.stream().allMatch(VerificationCheck::passed);
    }

    /** The checks that failed. */
    public List<VerificationCheck> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /** The check of that name, if the report has one. */
    public java.util.Optional<VerificationCheck> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * Whether the column is in the enforce phase's intermediate state: a NOT VALID constraint
     * refuses new NULLs, but it is not validated yet ({@code NotNullMigration.enforceForNewRows()}
     * ran, the finishing migration has not). The next step: remediate until the NULL count is 0,
     * then run the migration, which validates the constraint and finishes.
     *
     * <pre>{@code
     * VerificationReport report = db.verify(cutover);
     * if (report.notValidatedYet()) {
     *     remediateThenMigrate();
     * }
     * }</pre>
     */
    public boolean notValidatedYet() {
        return check(VerificationCheck.CONSTRAINT_VALIDATED)
                .filter(c -> !c.passed() && c.actual().startsWith(VerificationCheck.NOT_VALIDATED_YET)).isPresent();
    }

    /** A checklist for people, one check per line. */
    public String render() {
        StringBuilder s = new StringBuilder("Verification of ").append(subject).append(" on PostgreSQL ").append(serverVersion)
                .append(": ").append(passed() ? "PASSED" : "FAILED (" + failures().size() + " of " + checks.size() + " checks failed)");
        for (VerificationCheck check : checks) {
            s.append("\n  ").append(check);
        }
        return s.toString();
    }

    /**
     * Returns this report when every check passed.
     *
     * @throws CutoverVerificationException with the rendered report otherwise
     */
    public VerificationReport requirePassed() {
        if (!passed()) {
            throw new CutoverVerificationException(this);
        }
        return this;
    }

    @Override
    public String toString() {
        return render();
    }
}
