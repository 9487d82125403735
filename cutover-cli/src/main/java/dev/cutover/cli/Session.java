package dev.cutover.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.jooq.impl.DSL;

/**
 * One command's run: the configuration read and checked, the targets (databases × cutovers ×
 * tenant schemas), and their connections. Everything the configuration and flags say is
 * checked before the first connection is opened.
 */
final class Session implements AutoCloseable {

    /** What one target gave: its exit code, its JSON object and its text. */
    record Outcome(Target target, int exitCode, Map<String, Object> json, String text, List<String> row) {
    }

    final Common common;
    final Environment env;
    final CliConfig config;
    final List<CutoverSpec> specs;
    final List<String> urls;
    final Connections connections;
    private final Map<Target, RuntimeException> unreachable = new LinkedHashMap<>();
    private final Map<String, Map<String, java.util.Set<String>>> stateRelations = new java.util.concurrent.ConcurrentHashMap<>();

    private Session(Common common, Environment env, boolean needsCutover) {
        this.common = common;
        this.env = env;
        this.config = common.effective(common.loadConfig());
        this.specs = needsCutover ? common.cutovers(config) : List.of();
        for (CutoverSpec spec : specs) {
            spec.build();
        }
        this.urls = common.urls(config, env);
        this.connections = new Connections(env, common.parallel + 1, config.probeTimeout(), config.stateSchema());
    }

    static Session open(Common common, Environment env) {
        return new Session(common, env, true);
    }

    /** A session for a command that needs only the database, such as undo. */
    static Session databaseOnly(Common common, Environment env) {
        return new Session(common, env, false);
    }

    /** The only database URL. */
    String singleUrl(String command) {
        if (urls.size() > 1 || common.schemas != null) {
            throw CliException.usage(command + " works on one database at a time: give one --url and no --schemas");
        }
        return urls.get(0);
    }

    /** The only target, for a command that changes data or writes files. */
    Target single(String command) {
        if (urls.size() > 1 || common.schemas != null) {
            throw CliException.usage(command + " works on one database and schema at a time: give one --url and no --schemas");
        }
        if (specs.size() > 1) {
            throw CliException.usage(command + " works on one cutover at a time, but " + specs.size() + " are configured: "
                    + "choose one with --table (and --column)");
        }
        CutoverSpec spec = specs.get(0);
        return new Target(Connections.parse(urls.get(0)), spec, spec.build());
    }

    /** Whether the command works on a fleet: several URLs or a --schemas pattern. */
    boolean fleet() {
        return urls.size() > 1 || common.schemas != null;
    }

    /**
     * The targets of a command that changes them (remediate, migrate): one configured cutover,
     * on every URL and every schema --schemas matches.
     */
    List<Target> changeTargets(String command) {
        if (specs.size() > 1) {
            throw CliException.usage(command + " works on one cutover at a time, but " + specs.size() + " are configured: "
                    + "choose one with --table (and --column)");
        }
        return fleet() ? targets() : List.of(single(command));
    }

    /** Every target: each URL, each configured cutover, each schema the --schemas pattern matches. */
    List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        for (String url : urls) {
            Connections.Address address = Connections.parse(url);
            if (common.schemas == null) {
                for (CutoverSpec spec : specs) {
                    targets.add(new Target(address, spec, spec.build()));
                }
                continue;
            }
            List<String> schemas;
            try {
                schemas = DSL.using(connections.pool(url), org.jooq.SQLDialect.POSTGRES)
                        .fetch("select nspname::text from pg_catalog.pg_namespace where nspname like ? order by nspname",
                                common.schemas).getValues(0, String.class);
            } catch (RuntimeException e) {
                for (CutoverSpec spec : specs) {
                    Target t = new Target(address, spec, spec.build());
                    targets.add(t);
                    unreachable.put(t, e);
                }
                continue;
            }
            for (String schema : schemas) {
                for (CutoverSpec spec : specs) {
                    targets.add(new Target(address, spec, spec.build(schema)));
                }
            }
        }
        return targets;
    }

    /** Runs the work on every target, at most --parallel at once, keeping the targets' order. */
    List<Outcome> forEach(List<Target> targets, Function<Target, Outcome> work) {
        Function<Target, Outcome> guarded = t -> {
            RuntimeException failed = unreachable.get(t);
            try {
                if (failed != null) {
                    throw failed;
                }
                return work.apply(t);
            } catch (RuntimeException e) {
                int code = Errors.exitCode(e);
                String message = Errors.message(e);
                return new Outcome(t, code, Common.error(t, code, message), t.label() + ": " + message, null);
            }
        };
        if (common.parallel <= 1 || targets.size() <= 1) {
            return targets.stream().map(guarded).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(common.parallel, targets.size()), r -> {
            Thread thread = new Thread(r, "cutover-fleet");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Target t : targets) {
                futures.add(pool.submit(() -> guarded.apply(t)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "Interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs the work on every target, at most --parallel at once, keeping the targets' order; each
     * worker holds one connection per database for all the targets it takes (see {@link Worker}).
     */
    List<Outcome> forEachOnWorkers(List<Target> targets, java.util.function.BiFunction<Target, Worker, Outcome> work) {
        Outcome[] outcomes = new Outcome[targets.size()];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> {
            try (Worker w = new Worker(connections)) {
                for (int i = next.getAndIncrement(); i < outcomes.length; i = next.getAndIncrement()) {
                    Target t = targets.get(i);
                    outcomes[i] = guarded(t, () -> work.apply(t, w));
                }
            }
        };
        int threads = Math.min(common.parallel, targets.size());
        if (threads <= 1) {
            worker.run();
            return List.of(outcomes);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "cutover-fleet");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(worker));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            return List.of(outcomes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "Interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * As {@link #forEachOnWorkers}, but each worker takes up to {@code size} consecutive targets
     * of one database at a time, for work that reads them together; the work returns one outcome
     * per target, in order. A chunk whose work throws gets that error on each of its targets.
     */
    List<Outcome> forEachChunkOnWorkers(List<Target> targets, int size,
                                        java.util.function.BiFunction<List<Target>, Worker, List<Outcome>> work) {
        List<List<Target>> chunks = new ArrayList<>();
        List<Target> current = new ArrayList<>();
        for (Target t : targets) {
            if (!current.isEmpty() && (current.size() >= size || !current.get(0).address().url().equals(t.address().url())
                    || unreachable.containsKey(t) || unreachable.containsKey(current.get(0)))) {
                chunks.add(current);
                current = new ArrayList<>();
            }
            current.add(t);
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        List<Target> heads = chunks.stream().map(c -> c.get(0)).toList();
        Map<Target, List<Target>> byHead = new java.util.IdentityHashMap<>();
        chunks.forEach(c -> byHead.put(c.get(0), c));
        List<Outcome> results = new ArrayList<>();
        Map<Target, List<Outcome>> done = new java.util.concurrent.ConcurrentHashMap<>();
        List<Outcome> headOutcomes = forEachOnWorkers(heads, (head, w) -> {
            List<Target> chunk = byHead.get(head);
            List<Outcome> outcomes;
            try {
                outcomes = work.apply(chunk, w);
            } catch (RuntimeException e) {
                outcomes = chunk.stream().map(t -> guarded(t, () -> {
                    throw e;
                })).toList();
            }
            done.put(head, outcomes);
            return outcomes.get(0);
        });
        for (int i = 0; i < heads.size(); i++) {
            // a head that failed before its work ran (its database unreachable) is a chunk of one
            results.addAll(done.getOrDefault(heads.get(i), List.of(headOutcomes.get(i))));
        }
        return results;
    }

    Outcome guarded(Target t, java.util.function.Supplier<Outcome> work) {
        RuntimeException failed = unreachable.get(t);
        try {
            if (failed != null) {
                throw failed;
            }
            return work.get();
        } catch (RuntimeException e) {
            int code = Errors.exitCode(e);
            String message = Errors.message(e);
            return new Outcome(t, code, Common.error(t, code, message), t.label() + ": " + message, null);
        }
    }

    /**
     * The schemas of this database that hold a relation of this name (cutover_observation,
     * cutover_journal), read once per database and command: one catalog query for a whole fleet.
     */
    java.util.Set<String> schemasWith(Target t, String relation, org.jooq.DSLContext dsl) {
        return stateRelations.computeIfAbsent(t.address().url(), url -> {
            Map<String, java.util.Set<String>> found = new java.util.HashMap<>();
            dsl.fetch("""
                    select c.relname::text, n.nspname::text from pg_catalog.pg_class c
                    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                    where c.relname in (?, ?, ?) and c.relkind in ('r', 'p', 'v')""", StateReader.OBSERVATIONS, StateReader.JOURNAL,
                    StateReader.SMOKE)
                    .forEach(r -> found.computeIfAbsent(r.get(0, String.class), k -> new java.util.HashSet<>())
                            .add(r.get(1, String.class)));
            return found;
        }).getOrDefault(relation, java.util.Set.of());
    }

    /** The worst exit code of all outcomes. */
    static int exitCode(List<Outcome> outcomes) {
        int code = ExitCodes.OK;
        for (Outcome o : outcomes) {
            code = ExitCodes.worst(code, o.exitCode());
        }
        return code;
    }

    @Override
    public void close() {
        connections.close();
    }
}
