package dev.cutover.core.preflight;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.SmokeLatch;
import dev.cutover.core.gate.SmokeLatchState;
import dev.cutover.core.internal.Texts;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's post-migration smoke gate: once the application serves after the cutover
 * migration, its smoke checks ({@link PreflightChecks#smoke}) and the reconciliation count
 * ({@link PreflightChecks#reconciliationClear}) run again; a failure latches NO_GO "pause
 * rollout" for the cutover in the state tables ({@link SmokeLatch}, table {@code cutover_smoke})
 * with the names of the failed checks and the reconciliation count, never their messages. Every
 * gate of the cutover reports NO_GO while it is latched, and the preflight's "null baseline
 * stable" fails, until someone {@link #rearm re-arms} it. Nothing is rolled back.
 *
 * <pre>{@code
 * PostMigrationSmoke smoke = PostMigrationSmoke.of(db, cutover)
 *     .check(PreflightChecks.smoke("create flow", signupSmoke::createFlow))
 *     .check(PreflightChecks.smoke("join flow", signupSmoke::joinFlow))
 *     .check(PreflightChecks.reconciliationClear(
 *         "select count(*) from signup_finalize_failures where resolved_at is null"));
 *
 * // when the application is ready to serve (the Flyway callback marked a run due after the migration):
 * smoke.runIfDue().filter(report -> !report.passed()).ifPresent(report -> rollout.pause(report.render()));
 *
 * // after the investigation of signup assignment/finalization events:
 * smoke.rearm("alice");
 * }</pre>
 *
 * Immutable: each setter returns a new instance. Thread-safe.
 */
public final class PostMigrationSmoke {

    private static final Logger LOG = LoggerFactory.getLogger(PostMigrationSmoke.class);
    private static final int MAX_INSTANCE = 200;

    private final CutoverDatabase db;
    private final NotNullCutover cutover;
    private final List<PreflightCheck> checks;
    private final String instance;

    private PostMigrationSmoke(CutoverDatabase db, NotNullCutover cutover, List<PreflightCheck> checks, String instance) {
        this.db = db;
        this.cutover = cutover;
        this.checks = List.copyOf(checks);
        this.instance = instance;
    }

    /** The smoke gate of this cutover, with no checks yet; reads nothing until run. */
    public static PostMigrationSmoke of(CutoverDatabase db, NotNullCutover cutover) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cutover, "cutover");
        return new PostMigrationSmoke(db, cutover, List.of(), ManagementFactory.getRuntimeMXBean().getName());
    }

    /**
     * Whether a check is one the post-migration run repeats: made by {@link PreflightChecks#smoke}
     * (its name starts with {@value PreflightChecks#SMOKE_PREFIX}) or by
     * {@link PreflightChecks#reconciliationClear}. The others of the Stage B checklist (the
     * assignment code, the NULL baseline's stability) answer questions settled before the migration.
     *
     * <pre>{@code
     * smoke.checks(allPreflightChecks.stream().filter(PostMigrationSmoke::isSmokeCheck).toList());
     * }</pre>
     */
    public static boolean isSmokeCheck(PreflightCheck check) {
        Objects.requireNonNull(check, "check");
        return check instanceof ReconciliationCheck || check.name().startsWith(PreflightChecks.SMOKE_PREFIX);
    }

    /** This gate with one more check; checks run in the order added. */
    public PostMigrationSmoke check(PreflightCheck check) {
        Objects.requireNonNull(check, "check");
        List<PreflightCheck> all = new ArrayList<>(checks);
        all.add(check);
        return new PostMigrationSmoke(db, cutover, all, instance);
    }

    /** This gate with these checks added, in their order. */
    public PostMigrationSmoke checks(Collection<? extends PreflightCheck> more) {
        Objects.requireNonNull(more, "checks");
        List<PreflightCheck> all = new ArrayList<>(checks);
        more.forEach(c -> all.add(Objects.requireNonNull(c, "a check in checks")));
        return new PostMigrationSmoke(db, cutover, all, instance);
    }

    /**
     * Who runs the checks, kept with a latch (e.g. the pod's name); default {@code <pid>@<host>}.
     *
     * @throws CutoverConfigurationException when blank or longer than 200 characters
     */
    public PostMigrationSmoke instance(String name) {
        if (name == null || name.isBlank() || name.strip().length() > MAX_INSTANCE) {
            throw new CutoverConfigurationException("instance must be a name of 1 to " + MAX_INSTANCE + " characters, e.g. the "
                    + "pod's name, but was " + (name == null ? "null" : name.isBlank() ? "blank" : name.strip().length()
                    + " characters long"));
        }
        return new PostMigrationSmoke(db, cutover, checks, name.strip());
    }

    /** The cutover this gate guards. */
    public NotNullCutover cutover() {
        return cutover;
    }

    /** The checks, in the order they run. */
    public List<PreflightCheck> checks() {
        return checks;
    }

    /**
     * Records that a run is due, after the cutover migration ran; what the Flyway callback does.
     * Runs no check.
     *
     * @param migration the migration's version or script, e.g. {@code 17}
     */
    public void markDue(String migration) {
        SmokeLatch.due(db, cutover, migration);
    }

    /**
     * Runs every check now, then records the run: a failure latches NO_GO "pause rollout" (kept
     * until {@link #rearm}); a pass leaves the state as it was, no longer due. Call it once the
     * application serves.
     *
     * @return every check's result, the reconciliation count, and the latch after the run
     * @throws CutoverConfigurationException      when no check was added
     * @throws dev.cutover.core.CutoverDatabaseException when the outcome could not be stored
     */
    public PostMigrationSmokeReport run() {
        if (checks.isEmpty()) {
            throw new CutoverConfigurationException("the post-migration smoke run of " + cutover.subject() + " has no checks: add "
                    + "the application's smoke checks (PreflightChecks.smoke) and the reconciliation count "
                    + "(PreflightChecks.reconciliationClear) with check(...)");
        }
        List<PreflightResult> results = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (PreflightCheck check : checks) {
            results.add(runOne(check, counts));
        }
        OptionalLong count = counts.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(counts.stream().mapToLong(Long::longValue).sum());
        List<String> failed = results.stream().filter(r -> !r.passed()).map(PreflightResult::name).toList();
        SmokeLatchState state = SmokeLatch.record(db, cutover, failed, count, instance);
        PostMigrationSmokeReport report = new PostMigrationSmokeReport(cutover.subject(), new PreflightReport(results), count, state);
        if (report.passed() && !state.latched()) {
            LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("checks", results.size())
                    .log("{}", report.render());
        } else {
            LOG.atError().addKeyValue("target", cutover.subject()).addKeyValue("checks", results.size())
                    .addKeyValue("failed", failed.size()).addKeyValue("latched", state.latched())
                    .log("{}", report.render());
        }
        return report;
    }

    /**
     * {@link #run()} when a run is due (the cutover migration ran and no run followed); empty,
     * running nothing, otherwise.
     */
    public Optional<PostMigrationSmokeReport> runIfDue() {
        return state().filter(SmokeLatchState::due).map(due -> run());
    }

    /** The latch as stored now; empty when no run was ever due or run. */
    public Optional<SmokeLatchState> state() {
        return SmokeLatch.state(db, cutover);
    }

    /**
     * Releases the latch for every replica, after the investigation; the next run decides afresh.
     *
     * @param by who re-arms it, kept in the state
     * @return the latch released, if it was latched
     */
    public Optional<SmokeLatchState> rearm(String by) {
        if (by == null || by.isBlank()) {
            throw new CutoverConfigurationException("rearm needs who re-arms the post-migration smoke latch, e.g. a name, but was "
                    + (by == null ? "null" : "blank"));
        }
        return SmokeLatch.rearm(db, cutover, by.strip());
    }

    private PreflightResult runOne(PreflightCheck check, List<Long> counts) {
        long started = System.nanoTime();
        PreflightCheck.Outcome outcome;
        try {
            if (check instanceof ReconciliationCheck reconciliation) {
                ReconciliationCheck.Counted counted = reconciliation.count(db);
                counted.count().ifPresent(counts::add);
                outcome = counted.outcome();
            } else {
                outcome = check.run(db);
            }
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
        return "PostMigrationSmoke[" + cutover.subject() + ", " + checks.stream().map(PreflightCheck::name).toList() + "]";
    }
}
