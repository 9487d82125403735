package dev.cutover.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The application writing while a benchmark runs: inserts one row per interval on its own
 * connection (autocommit) and records each insert's latency. It runs as a separate JVM, as an
 * application would, so the benchmarked code's garbage collection and JIT never pause it.
 *
 * <p>{@link #start} launches it; {@link #measure} records the latencies of one window.
 *
 * <pre>{@code
 * try (ConcurrentWriter writer = ConcurrentWriter.start(url, "insert into t (v) values (1)", 5)) {
 *     List<Long> idle = writer.measure(() -> Thread.sleep(5_000));
 *     List<Long> during = writer.measure(() -> runTheWork());
 * }
 * }</pre>
 */
final class ConcurrentWriter implements AutoCloseable {

    /** The work measured while the writer writes. */
    @FunctionalInterface
    interface Window {
        void run() throws Exception;
    }

    private final Process process;
    private final BufferedWriter commands;
    private final BufferedReader replies;

    private ConcurrentWriter(Process process) {
        this.process = process;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts a writer JVM that runs {@code insertSql} every {@code intervalMillis} while a window is open. */
    static ConcurrentWriter start(String url, String insertSql, int intervalMillis) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                ConcurrentWriter.class.getName(), url, insertSql, Integer.toString(intervalMillis))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ConcurrentWriter writer = new ConcurrentWriter(process);
        writer.expect("ready");
        return writer;
    }

    /** Runs {@code window} while the writer writes; returns the latency of each insert in nanoseconds. */
    List<Long> measure(Window window) throws Exception {
        send("begin");
        expect("writing");
        try {
            window.run();
        } finally {
            send("end");
        }
        String line = replies.readLine();
        if (line == null || !line.startsWith("latencies")) {
            throw new IllegalStateException("the writer stopped: " + line);
        }
        List<Long> latencies = new ArrayList<>();
        for (String s : line.substring("latencies".length()).strip().split(" ")) {
            if (!s.isEmpty()) {
                latencies.add(Long.parseLong(s));
            }
        }
        return latencies;
    }

    private void send(String command) throws IOException {
        commands.write(command);
        commands.newLine();
        commands.flush();
    }

    private void expect(String reply) throws IOException {
        String line = replies.readLine();
        if (!reply.equals(line)) {
            throw new IllegalStateException("expected '" + reply + "' from the writer, got: " + line);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            send("quit");
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** The writer process: {@code url insertSql intervalMillis}; commands on stdin, replies on stdout. */
    public static void main(String[] args) throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(args[0]);
        String sql = args[1];
        int interval = Integer.parseInt(args[2]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(sql)) {
            System.out.println("ready");
            System.out.flush();
            String command;
            while ((command = in.readLine()) != null && !command.equals("quit")) {
                if (!command.equals("begin")) {
                    throw new IllegalArgumentException("unknown command " + command);
                }
                AtomicBoolean stop = new AtomicBoolean();
                List<Long> latencies = new ArrayList<>();
                Thread writing = new Thread(() -> write(insert, interval, stop, latencies), "writer");
                writing.start();
                System.out.println("writing");
                System.out.flush();
                String end = in.readLine();
                stop.set(true);
                writing.join();
                if (!"end".equals(end)) {
                    throw new IllegalArgumentException("expected end, got " + end);
                }
                StringBuilder line = new StringBuilder("latencies");
                latencies.forEach(l -> line.append(' ').append(l));
                System.out.println(line);
                System.out.flush();
            }
        }
    }

    private static void write(PreparedStatement insert, int interval, AtomicBoolean stop, List<Long> latencies) {
        try {
            while (!stop.get()) {
                long start = System.nanoTime();
                insert.executeUpdate();
                latencies.add(System.nanoTime() - start);
                Thread.sleep(interval);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the writer's insert failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
