package dev.cutover.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options every command takes: where the configuration is, which database(s), which
 * cutover, and the output form. Flags override the configuration file.
 */
final class Common {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML (.yml, .yaml) or properties file with the cutover.* keys of the Spring Boot starter.")
    Path config;

    @Option(names = "--url", paramLabel = "JDBC_URL",
            description = "Database, e.g. jdbc:postgresql://db:5432/app?user=ops (default: $CUTOVER_URL). Repeat for a fleet. "
                    + "The password comes from $PGPASSWORD or ~/.pgpass, never from a flag.")
    List<String> urls = new ArrayList<>();

    @Option(names = "--targets-file", paramLabel = "FILE", description = "A fleet: one JDBC URL per line (# comments).")
    Path targetsFile;

    @Option(names = "--schemas", paramLabel = "PATTERN",
            description = "A fleet of schema-per-tenant: every schema whose name matches this LIKE pattern, e.g. 'tenant_%%'.")
    String schemas;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "Targets worked on at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--table", description = "The cutover's table (selects a configured cutover, or defines one with --column).")
    String table;

    @Option(names = "--column", description = "The column becoming NOT NULL.")
    String column;

    @Option(names = "--schema", description = "The table's schema (default: the configuration's, else public).")
    String schema;

    @Option(names = "--key", split = ",", paramLabel = "COLUMN", description = "The unique key (default: the primary key).")
    List<String> key;

    @Option(names = "--probe-timeout", paramLabel = "DURATION", description = "statement_timeout of each probe, e.g. 30s.")
    String probeTimeout;

    @Option(names = "--state-schema", paramLabel = "SCHEMA",
            description = "Schema of cutover_observation and cutover_journal (default: the table's schema).")
    String stateSchema;

    @Option(names = "--json", description = "Write JSON (shapes in docs/cli.md) instead of text.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Log what the library does (to stderr).")
    boolean verbose;

    /** The configuration file, or none. */
    CliConfig loadConfig() {
        return config == null ? CliConfig.empty() : CliConfig.of(ConfigFile.read(config));
    }

    /** The configured cutovers, chosen and overridden by the flags. */
    List<CutoverSpec> cutovers(CliConfig cfg) {
        List<CutoverSpec> specs = new ArrayList<>(cfg.cutovers());
        if (table != null) {
            List<CutoverSpec> chosen = specs.stream()
                    .filter(s -> s.table().equals(table) && (column == null || s.column().equals(column))).toList();
            if (chosen.isEmpty()) {
                if (column == null) {
                    throw CliException.usage("No configured cutover has table " + table + ": give --column too to define one "
                            + "on the command line" + (specs.isEmpty() ? "" : ", or choose one of " + tables(specs)));
                }
                chosen = List.of(new CutoverSpec("--table " + table + " --column " + column, table, column, "public", List.of(),
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), List.of(), Optional.empty(), List.of(), 0, Optional.empty(), List.of(),
                        Optional.empty(), Optional.empty(), Optional.empty(), PreflightSpec.none()));
            }
            specs = new ArrayList<>(chosen);
        } else if (column != null) {
            throw CliException.usage("--column needs --table");
        }
        if (specs.isEmpty()) {
            throw CliException.usage("No cutover is configured: give --config cutover.yml (cutover.cutovers[0].table, "
                    + ".column, ...) or --table and --column");
        }
        List<CutoverSpec> result = new ArrayList<>();
        for (CutoverSpec s : specs) {
            result.add(new CutoverSpec(s.prefix(), s.table(), s.column(), schema != null ? schema : s.schema(),
                    key != null ? key : s.key(), s.migration(), s.refSchema(), s.refTable(), s.refColumn(), s.onDelete(),
                    s.foreignKey(), s.inspect(), s.newestFirstBy(), s.sensitive(), s.baseline(), s.reconciliationSql(),
                    s.policies(), s.batchSize(), s.maxRowsPerSecond(), s.maxReplicaLag(), s.preflight()));
        }
        return result;
    }

    private static String tables(List<CutoverSpec> specs) {
        return String.join(", ", specs.stream().map(s -> s.table() + "." + s.column()).toList());
    }

    /** The JDBC URLs: --url, --targets-file, else the configuration's cutover.targets, else $CUTOVER_URL. */
    List<String> urls(CliConfig cfg, Environment env) {
        LinkedHashSet<String> all = new LinkedHashSet<>(urls);
        if (targetsFile != null) {
            try {
                for (String line : Files.readAllLines(targetsFile, StandardCharsets.UTF_8)) {
                    String l = line.strip();
                    if (!l.isEmpty() && !l.startsWith("#")) {
                        all.add(l);
                    }
                }
            } catch (IOException e) {
                throw CliException.usage("Could not read --targets-file " + targetsFile + ": " + e.getMessage());
            }
        }
        if (all.isEmpty()) {
            all.addAll(cfg.targets());
        }
        if (all.isEmpty()) {
            env.get("CUTOVER_URL").ifPresent(all::add);
        }
        if (all.isEmpty()) {
            throw CliException.usage("No database given: use --url jdbc:postgresql://host:5432/db?user=name or set CUTOVER_URL");
        }
        all.forEach(Connections::parse);
        return List.copyOf(all);
    }

    /** The configuration with the timeout and state schema flags applied. */
    CliConfig effective(CliConfig cfg) {
        if (parallel < 1 || parallel > 64) {
            throw CliException.usage("--parallel must be between 1 and 64, but was " + parallel);
        }
        return new CliConfig(cfg.cutovers(), cfg.targets(),
                probeTimeout != null ? Optional.of(CliConfig.duration("--probe-timeout", probeTimeout)) : cfg.probeTimeout(),
                stateSchema != null ? Optional.of(stateSchema) : cfg.stateSchema(), cfg.incidentId(), cfg.incidentReason());
    }

    static Map<String, Object> error(Target t, int exitCode, String message) {
        Map<String, Object> json = t.json();
        json.put("exitCode", exitCode);
        json.put("error", message);
        return json;
    }
}
