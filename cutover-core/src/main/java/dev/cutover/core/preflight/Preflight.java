package dev.cutover.core.preflight;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.internal.Texts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's Stage B preflight: an ordered checklist of named checks. Every check runs,
 * also after one has failed, so one report shows everything that stands between now and
 * Stage B. A check that throws is a failure naming the exception.
 *
 * <pre>{@code
 * Preflight preflight = Preflight.builder()
 *     .check(PreflightChecks.assignmentCodeLive(() -> deployments.confirm("org-assignment-hook")))
 *     .check(PreflightChecks.nullBaselineStable(cutover, 0, Duration.ofHours(24)))
 *     .check(PreflightChecks.reconciliationClear(
 *         "select count(*) from signup_finalize_failures where resolved_at is null"))
 *     .check(PreflightChecks.smoke("create flow", () -> smoke.createUserWithNewOrganization()))
 *     .check(PreflightChecks.smoke("join flow", () -> smoke.joinExistingOrganization()))
 *     .build();
 *
 * PreflightReport report = preflight.run(db);
 * System.out.println(report.render());
 * report.requirePassed();   // PreflightFailedException with the checklist when anything failed
 * }</pre>
 *
 * The "null baseline stable" check reads the observations a {@link CutoverMonitor} keeps.
 */
public final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    private final List<PreflightCheck> checks;

    private Preflight(List<PreflightCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    /** Starts an empty checklist. */
    public static Builder builder() {
        return new Builder();
    }

    /** The checks, in the order they run. */
    public List<PreflightCheck> checks() {
        return checks;
    }

    /** Runs every check, in order, and reports each. Never throws for a failing check. */
    public PreflightReport run(CutoverDatabase db) {
        Objects.requireNonNull(db, "db");
        List<PreflightResult> results = new ArrayList<>();
        for (PreflightCheck check : checks) {
            PreflightResult result = runOne(check, db);
            results.add(result);
            LOG.atLevel(result.passed() ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.WARN)
                    .addKeyValue("check", result.name()).addKeyValue("passed", result.passed())
                    .addKeyValue("durationMs", result.duration().toMillis())
                    .log("{}", result);
        }
        PreflightReport report = new PreflightReport(results);
        int failed = report.failures().size();
        LOG.atLevel(failed == 0 ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.WARN)
                .addKeyValue("checks", results.size()).addKeyValue("failed", failed)
                .log(failed == 0 ? "Stage B preflight passed: all {} checks" : "Stage B preflight failed: {} checks, {} failed",
                        results.size(), failed);
        return report;
    }

    private static PreflightResult runOne(PreflightCheck check, CutoverDatabase db) {
        long started = System.nanoTime();
        PreflightCheck.Outcome outcome;
        try {
            outcome = check.run(db);
            if (outcome == null) {
                outcome = PreflightCheck.Outcome.fail("the check returned no outcome");
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String message = e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + Texts.message(e);
            outcome = PreflightCheck.Outcome.fail("threw " + e.getClass().getSimpleName() + message);
        }
        return new PreflightResult(check.name(), outcome.passed(), outcome.detail(), Duration.ofNanos(System.nanoTime() - started));
    }

    @Override
    public String toString() {
        return "Preflight" + checks.stream().map(PreflightCheck::name).toList();
    }

    /** Collects the checks. */
    public static final class Builder {
        private final List<PreflightCheck> checks = new ArrayList<>();

        private Builder() {
        }

        /** Adds a check; checks run in the order added. */
        public Builder check(PreflightCheck check) {
            Objects.requireNonNull(check, "check");
            checks.add(check);
            return this;
        }

        /**
         * The checklist.
         *
         * @throws CutoverConfigurationException when no check was added
         */
        public Preflight build() {
            if (checks.isEmpty()) {
                throw new CutoverConfigurationException("a preflight needs at least one check: add them with check(...), "
                        + "e.g. the runbook's four from PreflightChecks");
            }
            return new Preflight(checks);
        }
    }
}
