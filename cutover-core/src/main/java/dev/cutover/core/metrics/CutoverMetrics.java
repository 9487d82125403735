package dev.cutover.core.metrics;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.Decision;
import dev.cutover.core.gate.Verdict;
import dev.cutover.core.migrate.MigrationEvent;
import dev.cutover.core.remediation.RemediationEvent;
import dev.cutover.core.verify.VerificationReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters for cutovers, bound to any {@link MeterRegistry} (the application's own;
 * Spring Boot binds it through cutover's starter). Every meter is tagged {@code schema},
 * {@code table} and {@code column}.
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code cutover.nulls}</td><td>gauge</td><td>rows whose column IS NULL: Stage A as a metric to alert on</td></tr>
 *   <tr><td>{@code cutover.gate.verdict}</td><td>gauge, tag {@code verdict}</td><td>1 for the gate's current verdict (GO, NO_GO, UNKNOWN), 0 for the others</td></tr>
 *   <tr><td>{@code cutover.verification.passed}</td><td>gauge</td><td>1 when the last verification passed, 0 when it failed, NaN before one</td></tr>
 *   <tr><td>{@code cutover.remediation.rows}</td><td>counter, tag {@code result}</td><td>rows set ({@code assigned}) and left ({@code skipped}) by remediation batches</td></tr>
 *   <tr><td>{@code cutover.remediation.batches}</td><td>timer</td><td>committed remediation batches and their time</td></tr>
 *   <tr><td>{@code cutover.remediation.retries}</td><td>counter</td><td>batches retried after a transient error</td></tr>
 *   <tr><td>{@code cutover.remediation.rows.per.second}</td><td>gauge</td><td>rows set per second by the last batch</td></tr>
 *   <tr><td>{@code cutover.migration.step}</td><td>timer, tag {@code step}</td><td>time of each migration step that ran</td></tr>
 *   <tr><td>{@code cutover.migration.lock.wait}</td><td>timer, tag {@code step}</td><td>time each step waited for its lock</td></tr>
 *   <tr><td>{@code cutover.migration.retries}</td><td>counter, tag {@code step}</td><td>lock attempts that timed out and were retried</td></tr>
 * </table>
 *
 * The NULL count is read when a registry asks for it and the last count is older than
 * {@link Builder#countEvery(Duration)} (default one minute), bounded by the database's probe
 * timeout; decisions of a {@link dev.cutover.core.gate.CutoverMonitor} passed to
 * {@link #record(Decision)} keep it fresh without counting again. The other meters move with
 * what they are given: decisions, verification reports, and the events of remediation runs and
 * migrations through the listeners.
 *
 * <pre>{@code
 * CutoverMetrics metrics = CutoverMetrics.builder(db).cutover(cutover).build();
 * metrics.bindTo(registry);
 *
 * CutoverMonitor.builder(db, cutover).onDecision(metrics::record).start();
 * Remediation.builder(db, cutover).policy(policy).onEvent(metrics.remediationListener(cutover)).build().run();
 * metrics.record(cutover, db.verify(cutover));
 * }</pre>
 */
public final class CutoverMetrics implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverMetrics.class);

    private final CutoverDatabase db;
    private final Duration countEvery;
    private final Map<String, State> states = new LinkedHashMap<>();
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    private CutoverMetrics(Builder b) {
        this.db = b.db;
        this.countEvery = b.countEvery;
        for (NotNullCutover cutover : b.cutovers) {
            states.put(cutover.subject(), new State(cutover));
        }
    }

    /** Starts the meters of cutovers on this database. */
    public static Builder builder(CutoverDatabase db) {
        return new Builder(db);
    }

    /** The cutovers measured. */
    public List<NotNullCutover> cutovers() {
        return states.values().stream().map(s -> s.cutover).toList();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        for (State s : states.values()) {
            Gauge.builder("cutover.nulls", s, State::nulls).tags(s.tags).strongReference(true)
                    .description("Rows whose cutover column IS NULL").baseUnit("rows").register(registry);
            for (Verdict verdict : Verdict.values()) {
                Gauge.builder("cutover.gate.verdict", s, state -> state.verdict == null ? Double.NaN
                                : state.verdict == verdict ? 1 : 0)
                        .tags(s.tags.and("verdict", verdict.name())).strongReference(true)
                        .description("1 for the Stage A gate's current verdict, 0 for the others").register(registry);
            }
            Gauge.builder("cutover.verification.passed", s, state -> state.verified == null ? Double.NaN : state.verified ? 1 : 0)
                    .tags(s.tags).strongReference(true)
                    .description("1 when the last post-migration verification passed, 0 when it failed").register(registry);
            Gauge.builder("cutover.remediation.rows.per.second", s, state -> state.rowsPerSecond).tags(s.tags)
                    .strongReference(true).description("Rows set per second by the last remediation batch").register(registry);
            rows(registry, s, "assigned");
            rows(registry, s, "skipped");
            batches(registry, s);
            remediationRetries(registry, s);
        }
        registries.add(registry);
    }

    /**
     * Counts the NULL rows of this cutover now and keeps the count for {@code cutover.nulls}.
     *
     * @return the count, empty when it could not be read (the reason is logged)
     */
    public OptionalLong refresh(NotNullCutover cutover) {
        return state(cutover).count(true);
    }

    /** The last NULL count read for this cutover, empty before one was read. */
    public OptionalLong lastCount(NotNullCutover cutover) {
        State s = state(cutover);
        return s.count < 0 ? OptionalLong.empty() : OptionalLong.of(s.count);
    }

    /** Takes a gate decision (e.g. a {@code CutoverMonitor}'s): its verdict and NULL count. Decisions of other cutovers are ignored. */
    public void record(Decision decision) {
        State s = states.get(decision.target());
        if (s == null) {
            return;
        }
        s.verdict = decision.verdict();
        if (decision.nullCount().isPresent()) {
            s.observe(decision.nullCount().getAsLong());
        }
    }

    /** Takes the result of a verification of this cutover. */
    public void record(NotNullCutover cutover, VerificationReport report) {
        state(cutover).verified = report.passed();
    }

    /** A listener for {@code Remediation.Builder.onEvent} that counts the rows, batches and retries of a run on this cutover. */
    public Consumer<RemediationEvent> remediationListener(NotNullCutover cutover) {
        State s = state(cutover);
        return event -> {
            if (event instanceof RemediationEvent.BatchDone batch) {
                for (MeterRegistry registry : registries) {
                    rows(registry, s, "assigned").increment(batch.assigned());
                    rows(registry, s, "skipped").increment(batch.skipped());
                    batches(registry, s).record(batch.took());
                }
                long nanos = Math.max(1, batch.took().toNanos());
                s.rowsPerSecond = batch.assigned() * 1_000_000_000.0 / nanos;
            } else if (event instanceof RemediationEvent.BatchRetry) {
                for (MeterRegistry registry : registries) {
                    remediationRetries(registry, s).increment();
                }
            } else if (event instanceof RemediationEvent.RoundDone round) {
                s.observe(round.remaining());
            }
        };
    }

    /** A listener for {@code NotNullMigration.Builder.onEvent} that times the steps of a migration of this cutover. */
    public Consumer<MigrationEvent> migrationListener(NotNullCutover cutover) {
        State s = state(cutover);
        return event -> {
            if (event instanceof MigrationEvent.Done done && done.outcome().ran()) {
                for (MeterRegistry registry : registries) {
                    Timer.builder("cutover.migration.step").tags(s.tags.and("step", done.step()))
                            .description("Time of a migration step").register(registry).record(done.outcome().took());
                    Timer.builder("cutover.migration.lock.wait").tags(s.tags.and("step", done.step()))
                            .description("Time a migration step waited for its lock").register(registry)
                            .record(done.outcome().waited());
                }
            } else if (event instanceof MigrationEvent.Retrying retrying) {
                for (MeterRegistry registry : registries) {
                    Counter.builder("cutover.migration.retries").tags(s.tags.and("step", retrying.step()))
                            .description("Lock attempts of a migration step that timed out and were retried")
                            .register(registry).increment();
                }
            }
        };
    }

    private static Counter rows(MeterRegistry registry, State s, String result) {
        return Counter.builder("cutover.remediation.rows").tags(s.tags.and("result", result)).baseUnit("rows")
                .description("Rows set or skipped by remediation").register(registry);
    }

    private static Timer batches(MeterRegistry registry, State s) {
        return Timer.builder("cutover.remediation.batches").tags(s.tags).description("Committed remediation batches")
                .register(registry);
    }

    private static Counter remediationRetries(MeterRegistry registry, State s) {
        return Counter.builder("cutover.remediation.retries").tags(s.tags)
                .description("Remediation batches retried after a transient error").register(registry);
    }

    private State state(NotNullCutover cutover) {
        State s = states.get(Objects.requireNonNull(cutover, "cutover").subject());
        if (s == null) {
            throw new CutoverConfigurationException(cutover.subject() + " is not measured by these metrics; add it with "
                    + "CutoverMetrics.builder(db).cutover(...)");
        }
        return s;
    }

    @Override
    public String toString() {
        return "CutoverMetrics" + states.keySet();
    }

    /** What the meters of one cutover read. */
    private final class State {
        final NotNullCutover cutover;
        final Tags tags;
        final ReentrantLock counting = new ReentrantLock();
        volatile long count = -1;
        volatile long countedAt;
        volatile Verdict verdict;
        volatile Boolean verified;
        volatile double rowsPerSecond = Double.NaN;

        State(NotNullCutover cutover) {
            this.cutover = cutover;
            this.tags = Tags.of("schema", cutover.schema(), "table", cutover.table(), "column", cutover.column());
        }

        void observe(long nulls) {
            count = nulls;
            countedAt = System.nanoTime();
        }

        double nulls() {
            boolean stale = count < 0 || System.nanoTime() - countedAt >= countEvery.toNanos();
            OptionalLong n = stale ? count(false) : OptionalLong.of(count);
            return n.isPresent() ? n.getAsLong() : Double.NaN;
        }

        /** Counts now; when another thread is counting already, waits for it only if asked to. */
        OptionalLong count(boolean wait) {
            if (wait) {
                counting.lock();
            } else if (!counting.tryLock()) {
                return count < 0 ? OptionalLong.empty() : OptionalLong.of(count);
            }
            try {
                long n = db.probe(cutover).count();
                observe(n);
                return OptionalLong.of(n);
            } catch (CutoverException e) {
                LOG.atWarn().addKeyValue("target", cutover.subject())
                        .log("Could not count the NULL rows of {} for cutover.nulls: {}", cutover.subject(), e.getMessage());
                return OptionalLong.empty();
            } finally {
                counting.unlock();
            }
        }
    }

    /** Configures {@link CutoverMetrics}; setters check their arguments at once. */
    public static final class Builder {
        private final CutoverDatabase db;
        private final List<NotNullCutover> cutovers = new ArrayList<>();
        private Duration countEvery = Duration.ofMinutes(1);

        private Builder(CutoverDatabase db) {
            this.db = Objects.requireNonNull(db, "db");
        }

        /** Adds a cutover to measure. */
        public Builder cutover(NotNullCutover cutover) {
            Objects.requireNonNull(cutover, "cutover");
            if (cutovers.stream().anyMatch(c -> c.subject().equals(cutover.subject()))) {
                throw new CutoverConfigurationException(cutover.subject() + " was already added");
            }
            cutovers.add(cutover);
            return this;
        }

        /**
         * How old the NULL count may be before a registry reading {@code cutover.nulls} counts
         * again; default one minute. {@link Duration#ZERO} counts on every read.
         */
        public Builder countEvery(Duration age) {
            Objects.requireNonNull(age, "countEvery");
            if (age.isNegative()) {
                throw new CutoverConfigurationException("countEvery must not be negative, but was " + age);
            }
            this.countEvery = age;
            return this;
        }

        /** The metrics; bind them with {@link CutoverMetrics#bindTo(MeterRegistry)}. */
        public CutoverMetrics build() {
            if (cutovers.isEmpty()) {
                throw new CutoverConfigurationException("CutoverMetrics needs at least one cutover: add it with cutover(...)");
            }
            return new CutoverMetrics(this);
        }
    }
}
