package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.gate.Decision;
import dev.cutover.core.gate.Verdict;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.JournaledRun;
import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers.ConfiguredCutover;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the health indicator and the endpoint show of each cutover, read on demand: the
 * verification (catalog only), the gate's last decision when a monitor runs, the NULL count, and
 * for the endpoint the last remediation runs from the journal.
 * Reads, never writes.
 */
final class CutoverStatus {

    /** The health of one cutover, in Spring Boot's status codes. */
    enum Health {
        /** Verified, or the gate says GO, or pending without a gate. */
        UP,
        /** The gate latched NO_GO, or a post-migration smoke run failed: pause the rollout. */
        OUT_OF_SERVICE,
        /** The state could not be read. */
        UNKNOWN
    }

    /** How many remediation runs the endpoint shows per cutover. */
    static final int RUNS = 5;

    private final CutoverDatabase db;
    private final ConfiguredCutovers cutovers;
    private final Optional<CutoverMonitors> monitors;
    private final Optional<MetricsHook> metrics;

    /** What the status tells the metrics, when Micrometer is present (this class must not name its types). */
    interface MetricsHook {
        /** Counts now, for {@code cutover.nulls} too. */
        OptionalLong count(NotNullCutover cutover);

        /** Takes a verification's result. */
        void verified(NotNullCutover cutover, VerificationReport report);

        /** Takes a monitor's decision. */
        void decided(Decision decision);
    }

    /** The name of a cutover's health indicator: {@code schema.table.column}, unquoted. */
    static String healthName(ConfiguredCutover c) {
        return c.cutover().schema() + "." + c.cutover().table() + "." + c.cutover().column();
    }

    CutoverStatus(CutoverDatabase db, ConfiguredCutovers cutovers, Optional<CutoverMonitors> monitors, Optional<MetricsHook> metrics) {
        this.db = db;
        this.cutovers = cutovers;
        this.monitors = monitors;
        this.metrics = metrics;
    }

    List<ConfiguredCutover> cutovers() {
        return cutovers.all();
    }

    /** The health of one cutover and the details shown with it. */
    record State(Health health, Map<String, Object> details) {
    }

    State health(ConfiguredCutover c) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("migration", c.migration());
        Optional<VerificationReport> report = verification(c.cutover(), details);
        Optional<Decision> decision = decision(c.cutover());
        decision.ifPresent(d -> gate(d, details));
        if (PostMigrationSmokeHealth.pauseRollout(db, c.cutover(), details)) {
            return new State(Health.OUT_OF_SERVICE, details);
        }
        if (report.isPresent() && report.get().passed()) {
            details.put("state", "VERIFIED");
            return new State(Health.UP, details);
        }
        if (report.isEmpty()) {
            return new State(Health.UNKNOWN, details);
        }
        if (decision.isEmpty()) {
            details.put("state", "PENDING");
            return new State(Health.UP, details);
        }
        Decision d = decision.get();
        details.put("state", "PENDING");
        if (d.verdict() == Verdict.NO_GO) {
            return new State(Health.OUT_OF_SERVICE, details);
        }
        return new State(d.verdict() == Verdict.GO ? Health.UP : Health.UNKNOWN, details);
    }

    /** The endpoint's view of one cutover: health, NULL count (counted now), gate and verification. */
    Map<String, Object> describe(ConfiguredCutover c) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("table", c.cutover().qualifiedTable());
        view.put("column", c.cutover().column());
        view.put("baseline", c.baseline());
        State state = health(c);
        view.put("status", state.health().name());
        view.putAll(state.details());
        try {
            if (metrics.isPresent()) {
                OptionalLong nulls = metrics.get().count(c.cutover());
                if (nulls.isPresent()) {
                    view.put("nullCount", nulls.getAsLong());
                }
            } else {
                view.put("nullCount", db.probe(c.cutover()).count());
            }
        } catch (CutoverException e) {
            view.put("nullCountError", e.getMessage());
        }
        remediationRuns(c.cutover(), view);
        return view;
    }

    /** The last {@link #RUNS} remediation runs from the journal, newest first; none when there is no journal. */
    private void remediationRuns(NotNullCutover cutover, Map<String, Object> view) {
        try {
            List<Map<String, Object>> runs = new ArrayList<>();
            for (JournaledRun run : Remediation.runs(db, cutover, RUNS)) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("runId", run.runId().toString());
                r.put("started", run.started().toString());
                r.put("ended", run.ended().toString());
                r.put("assigned", run.assigned());
                r.put("undone", run.undone());
                r.put("restored", run.restored());
                r.put("policies", run.policies());
                runs.add(r);
            }
            view.put("remediationRuns", runs);
        } catch (CutoverException e) {
            view.put("remediationRunsError", e.getMessage());
        }
    }

    private Optional<VerificationReport> verification(NotNullCutover cutover, Map<String, Object> details) {
        try {
            VerificationReport report = db.verify(cutover);
            metrics.ifPresent(m -> m.verified(cutover, report));
            details.put("verified", report.passed());
            Map<String, Object> checks = new LinkedHashMap<>();
            for (VerificationCheck check : report.checks()) {
                checks.put(check.name(), Map.of("passed", check.passed(), "expected", check.expected(), "actual", check.actual()));
            }
            details.put("checks", checks);
            return Optional.of(report);
        } catch (CutoverException e) {
            details.put("verified", false);
            details.put("error", e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Decision> decision(NotNullCutover cutover) {
        return monitors.flatMap(m -> m.monitor(cutover.subject())).flatMap(CutoverMonitor::last);
    }

    private static void gate(Decision d, Map<String, Object> details) {
        Map<String, Object> gate = new LinkedHashMap<>();
        gate.put("verdict", d.verdict().name());
        gate.put("latched", d.latched());
        OptionalLong count = d.nullCount();
        if (count.isPresent()) {
            gate.put("nullCount", count.getAsLong());
        }
        gate.put("at", d.at().toString());
        gate.put("reason", d.reason());
        details.put("gate", gate);
    }
}
