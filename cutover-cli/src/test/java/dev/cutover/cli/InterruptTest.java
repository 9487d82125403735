package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT to the process) during remediate, then the printed resume command, with no row done twice. */
class InterruptTest {

    @TempDir
    Path dir;

    CliFixture fx;

    @BeforeEach
    void setUp() {
        fx = new CliFixture(dir);
        fx.db.execute("insert into \"user\" (email, created_at) select 'x' || g || '@example.com', "
                + "'2026-02-01T00:00:00Z'::timestamptz + g * interval '1 s' from generate_series(1, 200) g");
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void ctrlCStopsAfterTheBatchInFlightAndTheResumeCommandItPrintsFinishesTheSameRun() throws Exception {
        List<String> args = List.of("remediate", "--config", fx.config.toString(), "--url", fx.url(), "--batch-size", "5",
                "--max-rows-per-second", "50", "--progress", "plain");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CutoverCli.class.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("CUTOVER_URL");
        if (fx.db.password() != null) {
            pb.environment().put("PGPASSWORD", fx.db.password());
        }
        Process process = pb.start();
        StringBuilder err = new StringBuilder();
        CompletableFuture<Void> batches = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (err) {
                        err.append(line).append('\n');
                    }
                    if (line.startsWith("batch 3 ")) {
                        batches.complete(null);
                    }
                }
            } catch (java.io.IOException e) {
                batches.completeExceptionally(e);
            }
            batches.complete(null);
        });
        reader.start();
        batches.get(60, TimeUnit.SECONDS);
        assertThat(process.isAlive()).as(err.toString()).isTrue();

        new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(10_000);

        String printed;
        synchronized (err) {
            printed = err.toString();
        }
        assertThat(printed).contains("Stopped after batch ").contains("every finished batch is committed and journaled")
                .contains("To go on with the rows of public.\"user\".organization_id that are still NULL, run:");
        Matcher m = Pattern.compile("(?m)^  cutover (resume ([0-9a-f-]{36}) .*)$").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        String runId = m.group(2);
        assertThat(m.group(1)).isEqualTo("resume " + runId + " --config " + fx.config + " --url '" + fx.url()
                + "' --batch-size 5 --max-rows-per-second 50 --progress plain");
        long remaining = fx.nulls();
        long journaled = fx.scalar("select count(*) from cutover_journal where action = 'assign'");
        assertThat(remaining).isGreaterThan(0).isEqualTo(203 - journaled);

        CliFixture.Result resumed = fx.run(shellWords(m.group(1)));

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("Remediation of public.\"user\".organization_id: COMPLETE").contains(runId);
        assertThat(fx.nulls()).isZero();
        assertThat(fx.scalar("select count(*) from cutover_journal where action = 'assign'")).isEqualTo(203);
        assertThat(fx.scalar("select count(distinct key) from cutover_journal where action = 'assign'")).isEqualTo(203);
        assertThat(fx.scalar("select count(distinct run_id) from cutover_journal")).isEqualTo(1);
        assertThat(fx.scalar("select count(*) from cutover_journal where run_id::text = '" + runId + "'")).isGreaterThan(0);
    }

    /** The words of a command line as a POSIX shell reads them, for the quoting the printed command uses. */
    private static String[] shellWords(String line) {
        List<String> words = new ArrayList<>();
        Matcher w = Pattern.compile("(?:'([^']*)'|(\\S+))").matcher(line);
        while (w.find()) {
            words.add(w.group(1) != null ? w.group(1) : w.group(2));
        }
        return words.toArray(String[]::new);
    }
}
