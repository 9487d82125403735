package dev.cutover.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A command that changes its targets (remediate, migrate) over a fleet: one target at a time
 * unless --parallel N, in the targets' order; after the first target that does not end with
 * exit code 0 no further target is started unless --keep-going (targets already running finish).
 * Ends with a summary of what happened where.
 */
final class FleetRun {

    /** What happened to one target: its outcome, or {@code null} outcome when it was not started. */
    record Result(Target target, Session.Outcome outcome, String notStarted) {
        boolean started() {
            return outcome != null;
        }
    }

    private FleetRun() {
    }

    static List<Result> run(Session session, List<Target> targets, int parallel, boolean keepGoing,
                            Function<Target, Session.Outcome> work) {
        AtomicReference<Target> firstFailure = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        Result[] results = new Result[targets.size()];
        Function<Integer, Result> one = i -> {
            Target t = targets.get(i);
            Target failed = firstFailure.get();
            if (failed != null && !keepGoing) {
                return new Result(t, null, "not started: stopped after the failure on " + failed.label()
                        + " (--keep-going runs every target)");
            }
            if (interrupted.get()) {
                return new Result(t, null, "not started: interrupted");
            }
            Session.Outcome o = session.guarded(t, () -> work.apply(t));
            if (o.exitCode() != ExitCodes.OK) {
                firstFailure.compareAndSet(null, t);
            }
            return new Result(t, o, null);
        };
        Thread stop = new Thread(() -> interrupted.set(true), "cutover-fleet-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            if (parallel <= 1 || targets.size() <= 1) {
                for (int i = 0; i < results.length; i++) {
                    results[i] = one.apply(i);
                }
                return List.of(results);
            }
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, targets.size()), r -> {
                Thread thread = new Thread(r, "cutover-fleet");
                thread.setDaemon(true);
                return thread;
            });
            try {
                List<Future<Result>> futures = new ArrayList<>();
                for (int i = 0; i < results.length; i++) {
                    int index = i;
                    futures.add(pool.submit(() -> one.apply(index)));
                }
                for (int i = 0; i < results.length; i++) {
                    results[i] = futures.get(i).get();
                }
                return List.of(results);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.FAILED, "Interrupted");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException e) {
                // shutting down
            }
        }
    }

    /** The worst exit code of the targets that ran. */
    static int exitCode(List<Result> results) {
        int code = ExitCodes.OK;
        for (Result r : results) {
            if (r.started()) {
                code = ExitCodes.worst(code, r.outcome().exitCode());
            }
        }
        return code;
    }

    /** {@code {"targets": [...], "summary": {...}}}: each target's object (one not started has exitCode null and notStarted). */
    static Map<String, Object> json(List<Result> results, boolean keepGoing) {
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Result r : results) {
            if (r.started()) {
                targets.add(r.outcome().json());
            } else {
                Map<String, Object> json = r.target().json();
                json.put("exitCode", null);
                json.put("notStarted", r.notStarted());
                targets.add(json);
            }
        }
        long ok = results.stream().filter(r -> r.started() && r.outcome().exitCode() == ExitCodes.OK).count();
        long started = results.stream().filter(Result::started).count();
        Map<String, Object> summary = Json.object("targets", results.size(), "ok", ok, "failed", started - ok, "notStarted",
                results.size() - started, "keepGoing", keepGoing, "exitCode", exitCode(results));
        return Json.object("targets", targets, "summary", summary);
    }

    /** The summary for people: a line per target (what happened where), then the counts. */
    static String text(List<Result> results, boolean keepGoing) {
        TextTable table = new TextTable("TARGET", "SUBJECT", "RESULT", "DETAIL");
        for (Result r : results) {
            String result;
            String detail;
            if (!r.started()) {
                result = "not started";
                detail = r.notStarted();
            } else if (r.outcome().row() == null) {
                result = "ERROR (exit " + r.outcome().exitCode() + ")";
                detail = String.valueOf(r.outcome().json().get("error"));
            } else {
                result = r.outcome().exitCode() == ExitCodes.OK ? "ok" : "FAILED (exit " + r.outcome().exitCode() + ")";
                detail = r.outcome().row().get(r.outcome().row().size() - 1);
            }
            table.row(r.target().address().display(), r.target().cutover().subject(), result, detail);
        }
        java.io.StringWriter s = new java.io.StringWriter();
        java.io.PrintWriter w = new java.io.PrintWriter(s);
        table.print(w);
        long ok = results.stream().filter(r -> r.started() && r.outcome().exitCode() == ExitCodes.OK).count();
        long started = results.stream().filter(Result::started).count();
        w.print(results.size() + " targets: " + ok + " ok, " + (started - ok) + " failed, " + (results.size() - started)
                + " not started" + (results.size() > started && !keepGoing ? " (stopped at the first failure; --keep-going "
                + "runs every target)" : ""));
        w.flush();
        return s.toString();
    }
}
