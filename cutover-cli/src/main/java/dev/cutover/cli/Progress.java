package dev.cutover.cli;

import dev.cutover.core.remediation.RemediationEvent;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A remediation's progress: on a terminal a progress bar (rows done, rate, ETA), otherwise one
 * plain line per batch, both on stderr so that stdout holds only the result.
 */
abstract sealed class Progress implements AutoCloseable permits Progress.Bar, Progress.Lines {

    /** How progress is shown: a bar on a terminal, plain lines otherwise, or as asked. */
    enum Mode { AUTO, BAR, PLAIN, NONE }

    static Progress open(Mode mode, PrintWriter err, PrintStream terminal, String task, long total) {
        Mode m = mode == Mode.AUTO ? (System.console() != null ? Mode.BAR : Mode.PLAIN) : mode;
        return switch (m) {
            case BAR -> new Bar(terminal, task, total);
            case NONE -> new Lines(null, total);
            default -> new Lines(err, total);
        };
    }

    abstract void on(RemediationEvent event);

    /** {@code throttled: standby replica1 is 12.3 s behind (max 10.0 s)}: the run waits, holding no connection. */
    static String throttled(RemediationEvent.ReplicaLagThrottled t) {
        return "throttled: standby " + t.standby() + " is " + human(t.lag()) + " behind (max " + human(t.bound()) + ")";
    }

    /** {@code 250 ms} under a second, else {@code 12.3 s}. */
    static String human(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    @Override
    public abstract void close();

    /** The bar, drawn by a progress bar library on the terminal. */
    static final class Bar extends Progress {
        private final ProgressBar bar;
        private long done;
        private boolean closed;
        private boolean throttled;

        Bar(PrintStream terminal, String task, long total) {
            this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 1)).setUnit(" rows", 1)
                    .showSpeed().setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200)
                    .setConsumer(new ConsoleProgressBarConsumer(terminal, 100)).continuousUpdate().build();
        }

        @Override
        synchronized void on(RemediationEvent event) {
            if (event instanceof RemediationEvent.BatchDone b) {
                done += b.rows();
                if (done > bar.getMax()) {
                    bar.maxHint(done);
                }
                bar.stepTo(done);
                if (throttled) {
                    throttled = false;
                    bar.setExtraMessage("");
                }
            } else if (event instanceof RemediationEvent.ReplicaLagThrottled t) {
                throttled = true;
                bar.setExtraMessage(throttled(t));
            } else if (event instanceof RemediationEvent.RoundDone r && r.remaining() > 0) {
                bar.setExtraMessage("round " + r.round() + " done, " + r.remaining() + " remain");
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                bar.close();
            }
        }
    }

    /** One line per batch, for logs and pipes. */
    static final class Lines extends Progress {
        private final PrintWriter err;
        private final long total;
        private final long started = System.nanoTime();
        private long done;

        Lines(PrintWriter err, long total) {
            this.err = err;
            this.total = total;
        }

        @Override
        synchronized void on(RemediationEvent event) {
            if (err == null) {
                return;
            }
            if (event instanceof RemediationEvent.BatchDone b) {
                done += b.rows();
                double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
                err.println(String.format(Locale.ROOT, "batch %d (round %d): %d rows, %d assigned, %d skipped, %d ms; %d of %d "
                                + "rows done, %.0f rows/s", b.batch(), b.round(), b.rows(), b.assigned(), b.skipped(),
                        b.took().toMillis(), done, total, done / seconds));
            } else if (event instanceof RemediationEvent.BatchRetry r) {
                err.println("batch " + r.batch() + ": retry " + r.attempt() + " after SQLSTATE " + r.sqlState() + ", waiting "
                        + r.backoff().toMillis() + " ms");
            } else if (event instanceof RemediationEvent.ReplicaLagThrottled t) {
                err.println(throttled(t) + ", " + t.replayBytes() + " bytes to replay; looking again in " + human(t.recheck()));
            } else if (event instanceof RemediationEvent.RoundDone r) {
                err.println("round " + r.round() + " done: " + r.assigned() + " assigned, " + r.skipped() + " skipped, "
                        + r.remaining() + " NULL rows remain, " + seconds(r.took()));
            }
            err.flush();
        }

        private static String seconds(Duration d) {
            return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        }

        @Override
        public void close() {
            if (err != null) {
                err.flush();
            }
        }
    }
}
