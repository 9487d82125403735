package dev.cutover.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration, with the Spring Boot starter's keys: {@code cutover.cutovers[N].*},
 * {@code cutover.incident.*}, {@code cutover.probe-timeout}, {@code cutover.state-schema}, and
 * for the command line {@code cutover.targets} (the JDBC URLs of a fleet). Every key is checked
 * before anything connects; an unknown or malformed one ends the command with exit code 2,
 * naming it.
 */
record CliConfig(List<CutoverSpec> cutovers, List<String> targets, Optional<Duration> probeTimeout,
                 Optional<String> stateSchema, Optional<String> incidentId, Optional<String> incidentReason) {

    private static final Pattern CUTOVER_KEY = Pattern.compile("cutover\\.cutovers\\[(\\d+)]\\.(.+)");
    private static final Pattern LIST_ITEM = Pattern.compile("(.+)\\[(\\d+)]");
    private static final Pattern POLICY = Pattern.compile("remediation\\.policies\\[(\\d+)]\\.(constant|lookup|sql)");
    private static final List<String> CUTOVER_KEYS = List.of("table", "column", "schema", "key", "migration",
            "migration.version", "migration.script", "references", "references.schema", "references.table",
            "references.column", "on-delete", "foreign-key", "inspect", "newest-first-by", "sensitive", "baseline",
            "sample-size", "preflight.reconciliation-sql", "remediation.batch-size", "remediation.max-rows-per-second",
            "remediation.max-replica-lag");
    private static final List<String> TOP_KEYS = List.of("cutover.incident.id", "cutover.incident.reason",
            "cutover.incident.actor", "cutover.probe-timeout", "cutover.state-schema", "cutover.targets",
            "cutover.monitor.enabled", "cutover.monitor.every", "cutover.monitor.baseline");
    private static final Pattern REFERENCE = Pattern.compile("\\s*(?:([^.()\\s]+)\\.)?([^.()\\s]+)\\s*\\(\\s*([^()\\s]+)\\s*\\)\\s*");

    CliConfig {
        cutovers = List.copyOf(cutovers);
        targets = List.copyOf(targets);
    }

    static CliConfig empty() {
        return new CliConfig(List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Reads and checks the flat keys of a configuration file. */
    static CliConfig of(Map<String, String> keys) {
        TreeSet<Integer> indexes = new TreeSet<>();
        for (String key : keys.keySet()) {
            Matcher m = CUTOVER_KEY.matcher(key);
            if (m.matches()) {
                String rest = m.group(2);
                if (!known(rest)) {
                    throw CliException.usage("Unknown configuration key " + key + ": a cutover takes "
                            + String.join(", ", CUTOVER_KEYS) + ", " + String.join(", ", PreflightSpec.KEYS)
                            + ", preflight.smoke[N].name|url|command and remediation.policies[N].constant|lookup|sql");
                }
                indexes.add(Integer.parseInt(m.group(1)));
            } else if (!TOP_KEYS.contains(base(key))) {
                throw CliException.usage("Unknown configuration key " + key + ": the keys are cutover.cutovers[N].table, "
                        + ".column, ... and " + String.join(", ", TOP_KEYS));
            }
        }
        List<CutoverSpec> cutovers = new ArrayList<>();
        int expected = 0;
        for (int i : indexes) {
            if (i != expected) {
                throw CliException.usage("cutover.cutovers[" + expected + "] is missing: number the cutovers from 0 without gaps");
            }
            expected++;
            cutovers.add(cutover(keys, "cutover.cutovers[" + i + "]"));
        }
        Optional<String> id = Optional.ofNullable(keys.get("cutover.incident.id")).filter(v -> !v.isBlank());
        Optional<String> reason = Optional.ofNullable(keys.get("cutover.incident.reason")).filter(v -> !v.isBlank());
        if (reason.isPresent() && id.isEmpty()) {
            throw CliException.usage("cutover.incident.id is missing: cutover.incident.reason needs it");
        }
        if (id.isPresent() && reason.isEmpty()) {
            throw CliException.usage("cutover.incident.reason is missing: an override of incident " + id.get()
                    + " needs a reason, which is recorded");
        }
        Optional<Duration> timeout = Optional.ofNullable(keys.get("cutover.probe-timeout"))
                .map(v -> duration("cutover.probe-timeout", v));
        return new CliConfig(cutovers, list(keys, "cutover.targets"), timeout,
                Optional.ofNullable(keys.get("cutover.state-schema")), id, reason);
    }

    private static boolean known(String rest) {
        return CUTOVER_KEYS.contains(base(rest)) || PreflightSpec.KEYS.contains(rest) || POLICY.matcher(rest).matches()
                || PreflightSpec.SMOKE_KEY.matcher(rest).matches();
    }

    /** {@code inspect[2]} is {@code inspect}. */
    private static String base(String key) {
        Matcher m = LIST_ITEM.matcher(key);
        return m.matches() ? m.group(1) : key;
    }

    private static CutoverSpec cutover(Map<String, String> keys, String p) {
        String table = required(keys, p + ".table");
        String column = required(keys, p + ".column");
        Optional<String> migration = opt(keys, p + ".migration").or(() -> opt(keys, p + ".migration.version"))
                .or(() -> opt(keys, p + ".migration.script"));
        Optional<String> refSchema = opt(keys, p + ".references.schema");
        Optional<String> refTable = opt(keys, p + ".references.table");
        Optional<String> refColumn = opt(keys, p + ".references.column");
        Optional<String> reference = opt(keys, p + ".references");
        if (reference.isPresent()) {
            Matcher m = REFERENCE.matcher(reference.get());
            if (!m.matches()) {
                throw CliException.usage(p + ".references must look like organizations(id) or public.organizations(id), but was \""
                        + reference.get() + "\"");
            }
            refSchema = Optional.ofNullable(m.group(1));
            refTable = Optional.of(m.group(2));
            refColumn = Optional.of(m.group(3));
        } else if (refTable.isPresent() != refColumn.isPresent()) {
            throw CliException.usage(p + (refTable.isPresent() ? ".references.column" : ".references.table")
                    + " is missing: a foreign key expectation needs both the table and the column");
        }
        List<CutoverSpec.Policy> policies = new ArrayList<>();
        TreeSet<Integer> policyIndexes = new TreeSet<>();
        Pattern policyKey = Pattern.compile(Pattern.quote(p + ".remediation.policies[") + "(\\d+)].*");
        for (String k : keys.keySet()) {
            Matcher m = policyKey.matcher(k);
            if (m.matches()) {
                policyIndexes.add(Integer.parseInt(m.group(1)));
            }
        }
        for (int j : policyIndexes) {
            String pp = p + ".remediation.policies[" + j + "]";
            if (j != policies.size()) {
                throw CliException.usage(p + ".remediation.policies[" + policies.size() + "] is missing: number the policies "
                        + "from 0 without gaps");
            }
            List<String> kinds = new ArrayList<>();
            for (String kind : List.of("constant", "lookup", "sql")) {
                if (keys.containsKey(pp + "." + kind)) {
                    kinds.add(kind);
                }
            }
            if (kinds.size() > 1) {
                throw CliException.usage(pp + " has " + String.join(" and ", kinds) + ": give one kind per policy, "
                        + "and several policies (tried in order) as policies[0], policies[1], ...");
            }
            String value = keys.get(pp + "." + kinds.get(0));
            if (value.isBlank()) {
                throw CliException.usage(pp + "." + kinds.get(0) + " is empty");
            }
            policies.add(new CutoverSpec.Policy(pp + "." + kinds.get(0), kinds.get(0), value));
        }
        return new CutoverSpec(p, table, column, opt(keys, p + ".schema").orElse("public"), list(keys, p + ".key"), migration,
                refSchema, refTable, refColumn, opt(keys, p + ".on-delete"), opt(keys, p + ".foreign-key"),
                list(keys, p + ".inspect"), opt(keys, p + ".newest-first-by"), list(keys, p + ".sensitive"),
                opt(keys, p + ".baseline").map(v -> number(p + ".baseline", v)).orElse(0L),
                opt(keys, p + ".preflight.reconciliation-sql"), policies,
                opt(keys, p + ".remediation.batch-size").map(v -> (int) number(p + ".remediation.batch-size", v)),
                opt(keys, p + ".remediation.max-rows-per-second").map(v -> (int) number(p + ".remediation.max-rows-per-second", v)),
                opt(keys, p + ".remediation.max-replica-lag").map(v -> replicaLag(p + ".remediation.max-replica-lag", v)),
                PreflightSpec.read(keys, p));
    }

    private static String required(Map<String, String> keys, String key) {
        return opt(keys, key).orElseThrow(() -> CliException.usage(key + " is missing: every cutover needs a table and a column"));
    }

    private static Optional<String> opt(Map<String, String> keys, String key) {
        return Optional.ofNullable(keys.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** {@code a, b} or {@code key[0]=a}, {@code key[1]=b}. */
    static List<String> list(Map<String, String> keys, String key) {
        List<String> values = new ArrayList<>();
        String joined = keys.get(key);
        if (joined != null) {
            Arrays.stream(joined.split(",")).map(String::trim).filter(v -> !v.isEmpty()).forEach(values::add);
        }
        for (int i = 0; keys.containsKey(key + "[" + i + "]"); i++) {
            values.add(keys.get(key + "[" + i + "]").trim());
        }
        return values;
    }

    static long number(String key, String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0 || n > Integer.MAX_VALUE) {
                throw CliException.usage(key + " must be between 0 and " + Integer.MAX_VALUE + ", but was " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw CliException.usage(key + " must be a whole number, but was \"" + value + "\"");
        }
    }

    /**
     * A replica-lag bound: a duration as {@link #duration} reads it, or {@code off} / {@code 0}
     * for no throttle ({@link Duration#ZERO}); at most 24 hours. YAML reads an unquoted
     * {@code off} as the boolean false, so {@code false} is off too.
     */
    static Duration replicaLag(String key, String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false") || v.equals("0")) {
            return Duration.ZERO;
        }
        Duration d;
        try {
            d = duration(key, v);
        } catch (CliException e) {
            throw CliException.usage(key + " must be a duration such as 500ms, 10s or 1m (at most 24h), or off (or 0) to "
                    + "run without looking at the standbys' lag, but was \"" + value + "\"");
        }
        if (d.compareTo(Duration.ofHours(24)) > 0) {
            throw CliException.usage(key + " must be at most 24h, or off, but was \"" + value + "\"");
        }
        return d;
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT30S}. */
    static Duration duration(String key, String value) {
        String v = value.trim();
        try {
            Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)").matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                Duration d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                if (!d.isZero()) {
                    return d;
                }
            } else if (v.startsWith("P") || v.startsWith("p")) {
                Duration d = Duration.parse(v);
                if (!d.isNegative() && !d.isZero()) {
                    return d;
                }
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // reported below
        }
        throw CliException.usage(key + " must be a positive duration such as 500ms, 30s, 1m or PT30S, but was \"" + value + "\"");
    }
}
