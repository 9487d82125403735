package dev.cutover.cli;

import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.gate.Decision;
import dev.cutover.core.gate.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover watch}: Stage A in the terminal or from cron. */
@Command(name = "watch", description = {"Stage A: counts NULL rows every --every and prints each observation; a count above "
        + "the baseline latches NO_GO (kept in cutover_observation, so a later run still sees it).",
        "With --once (from cron, or over a fleet): one observation per target, exit 1 on NO_GO, 3 when the count "
                + "could not be read."})
final class WatchCommand extends BaseCommand {

    @Option(names = "--every", paramLabel = "DURATION", defaultValue = "1m",
            description = "Time between observations (default: ${DEFAULT-VALUE}).")
    String every;

    @Option(names = "--baseline", paramLabel = "N", description = "NULL rows tolerated (default: the configured baseline, else 0).")
    Long baseline;

    @Option(names = "--once", description = "One observation per target, then exit.")
    boolean once;

    @Option(names = "--observations", paramLabel = "N", description = "Stop after N observations (default: until Ctrl-C).")
    Long observations;

    @Override
    public Integer call() throws InterruptedException {
        Duration interval = CliConfig.duration("--every", every);
        if (baseline != null && baseline < 0) {
            throw CliException.usage("--baseline must be at least 0, but was " + baseline);
        }
        if (observations != null && observations < 1) {
            throw CliException.usage("--observations must be at least 1, but was " + observations);
        }
        try (Session session = Session.open(common, env())) {
            if (once) {
                List<Session.Outcome> outcomes = session.forEach(session.targets(), t -> {
                    Decision d = observeOnce(session, t);
                    return outcome(t, d);
                });
                return print(outcomes, "TARGET", "SUBJECT", "VERDICT", "NULLS", "BASELINE");
            }
            Target t = session.single("watch without --once");
            long limit = observations == null ? Long.MAX_VALUE : observations;
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Decision> last = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
            try (CutoverMonitor monitor = CutoverMonitor.builder(t.database(session.connections), t.cutover())
                    .baseline(baselineOf(t)).every(interval).onDecision(d -> {
                        if (seen.get() >= limit) {
                            return;
                        }
                        last.set(d);
                        printDecision(t, d);
                        if (seen.incrementAndGet() >= limit) {
                            done.countDown();
                        }
                    }).start()) {
                done.await();
            }
            Decision d = last.get();
            return d == null ? ExitCodes.DATABASE : code(d);
        }
    }

    private long baselineOf(Target t) {
        return baseline != null ? baseline : t.spec().baseline();
    }

    private Decision observeOnce(Session session, Target t) {
        CompletableFuture<Decision> first = new CompletableFuture<>();
        try (CutoverMonitor monitor = CutoverMonitor.builder(t.database(session.connections), t.cutover())
                .baseline(baselineOf(t)).every(Duration.ofDays(1)).onDecision(first::complete).start()) {
            Duration wait = session.connections.database(t.address().url()).settings().probeTimeout().plusSeconds(30);
            return first.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "Interrupted while observing " + t.cutover().subject());
        } catch (ExecutionException | TimeoutException e) {
            throw new CliException(ExitCodes.DATABASE, "No observation of " + t.cutover().subject() + " arrived: "
                    + Connections.rootMessage(e));
        }
    }

    private static int code(Decision d) {
        return d.verdict() == Verdict.GO ? ExitCodes.OK : d.verdict() == Verdict.NO_GO ? ExitCodes.FAILED : ExitCodes.DATABASE;
    }

    private static Map<String, Object> json(Target t, Decision d) {
        Map<String, Object> json = t.json();
        json.put("exitCode", code(d));
        json.put("verdict", d.verdict().name());
        json.put("nullCount", d.nullCount().isPresent() ? d.nullCount().getAsLong() : null);
        json.put("baseline", d.baseline());
        json.put("latched", d.latched());
        json.put("at", d.at().toString());
        json.put("reason", d.reason());
        json.put("error", d.error().orElse(null));
        return json;
    }

    private Session.Outcome outcome(Target t, Decision d) {
        return new Session.Outcome(t, code(d), json(t, d), text(d), List.of(t.address().display(), t.cutover().subject(),
                d.verdict().name() + (d.latched() ? " (latched)" : ""),
                d.nullCount().isPresent() ? String.valueOf(d.nullCount().getAsLong()) : "unknown", String.valueOf(d.baseline())));
    }

    private static String text(Decision d) {
        return d.at() + " " + d.verdict() + (d.latched() ? " (latched)" : "") + " " + d.target() + ": " + d.reason();
    }

    private void printDecision(Target t, Decision d) {
        if (common.json) {
            Json.line(out(), json(t, d));
        } else {
            out().println(text(d));
            out().flush();
        }
    }
}
