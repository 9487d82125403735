package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.db.Neighbours;
import dev.cutover.testkit.db.StreamingStandby;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * remediate with --max-replica-lag against a real standby of the local server (127.0.0.1:5432),
 * whatever server the rest of the suite uses: while its replay is paused the plain lines show
 * the run throttled, and it finishes once the standby catches up.
 */
class ReplicaLagThrottleTest {

    static StreamingStandby standby;

    @TempDir
    Path dir;

    @BeforeAll
    static void startStandby() {
        Neighbours.requireStandby();
        standby = StreamingStandby.ofLocalServer();
    }

    @AfterAll
    static void stopStandby() {
        if (standby != null) {
            standby.close();
        }
    }

    @Test
    void plainLinesShowTheThrottledStateWhileTheStandbyIsBehind() throws Exception {
        try (CliFixture fx = new CliFixture(dir, standby.primary().createDatabase())) {
            fx.db.execute("insert into \"user\" (email, created_at) select 'x' || g || '@example.com', "
                    + "'2026-02-01T00:00:00Z'::timestamptz + g * interval '1 s' from generate_series(1, 400) g");
            standby.awaitCaughtUp(Duration.ofSeconds(60));
            standby.pauseReplay();
            StringWriter err = new StringWriter();
            StringWriter out = new StringWriter();
            CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> CutoverCli.execute(fx.env(),
                    new PrintWriter(out, true), new PrintWriter(err, true), "remediate", "--config", fx.config.toString(),
                    "--batch-size", "1", "--max-rows-per-second", "50", "--max-replica-lag", "2s", "--progress", "plain"));
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!err.toString().contains("throttled: standby ") && System.nanoTime() < until && !code.isDone()) {
                    Thread.sleep(50);
                }
            } finally {
                standby.resumeReplay();
            }
            // On a shared server other databases' WAL may keep the standby behind for a while after replay resumes.
            assertThat(code.get(10, TimeUnit.MINUTES)).as(err.toString()).isZero();
            assertThat(err.toString()).contains("throttled: standby " + standby.applicationName() + " is ")
                    .contains(" behind (max 2.0 s)").contains("bytes to replay; looking again in ");
            assertThat(out.toString()).contains("COMPLETE");
            assertThat(fx.nulls()).isZero();
        }
    }
}
