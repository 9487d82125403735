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
 * The application writing while a benchmark runs: one or more writer threads, each inserting
 * rows on its own connection (autocommit), one per interval or, with an interval of 0, flat out,
 * and recording each insert's latency. It runs as a separate JVM, as an application would, so
 * the benchmarked code's garbage collection and JIT never pause it.
 *
 * <p>{@link #start} launches it; {@link #measure} records the latencies of one window.
 *
 * <pre>{@code
 * try (ConcurrentWriter writer = ConcurrentWriter.start(url, "insert into t (v) values (1)", 4, 0)) {
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

    /**
     * Starts a writer JVM whose {@code writers} threads run {@code insertSql} every
     * {@code intervalMillis} (0: flat out) while a window is open.
     */
    static ConcurrentWriter start(String url, String insertSql, int writers, int intervalMillis) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                ConcurrentWriter.class.getName(), url, insertSql, Integer.toString(writers), Integer.toString(intervalMillis))
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

    /** The writer process: {@code url insertSql writers intervalMillis}; commands on stdin, replies on stdout. */
    public static void main(String[] args) throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(args[0]);
        String sql = args[1];
        int writers = Integer.parseInt(args[2]);
        int interval = Integer.parseInt(args[3]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<Connection> connections = new ArrayList<>();
        List<PreparedStatement> inserts = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                Connection c = dataSource.getConnection();
                connections.add(c);
                inserts.add(c.prepareStatement(sql));
            }
            System.out.println("ready");
            System.out.flush();
            String command;
            while ((command = in.readLine()) != null && !command.equals("quit")) {
                if (!command.equals("begin")) {
                    throw new IllegalArgumentException("unknown command " + command);
                }
                window(in, inserts, interval);
            }
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    /** One window: every writer writes until "end"; then all their latencies go out on one line. */
    private static void window(BufferedReader in, List<PreparedStatement> inserts, int interval) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<List<Long>> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < inserts.size(); i++) {
            List<Long> mine = new ArrayList<>();
            latencies.add(mine);
            PreparedStatement insert = inserts.get(i);
            Thread t = new Thread(() -> write(insert, interval, stop, mine), "writer-" + i);
            threads.add(t);
            t.start();
        }
        System.out.println("writing");
        System.out.flush();
        String end = in.readLine();
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (!"end".equals(end)) {
            throw new IllegalArgumentException("expected end, got " + end);
        }
        StringBuilder line = new StringBuilder("latencies");
        latencies.forEach(l -> l.forEach(x -> line.append(' ').append(x)));
        System.out.println(line);
        System.out.flush();
    }

    private static void write(PreparedStatement insert, int interval, AtomicBoolean stop, List<Long> latencies) {
        try {
            while (!stop.get()) {
                long start = System.nanoTime();
                insert.executeUpdate();
                latencies.add(System.nanoTime() - start);
                if (interval > 0) {
                    Thread.sleep(interval);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the writer's insert failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
