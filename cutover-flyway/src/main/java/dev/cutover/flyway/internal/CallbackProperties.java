package dev.cutover.flyway.internal;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.flyway.CutoverCallback;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/** Reads {@code cutover.properties} into a {@link CutoverCallback.Builder}; every error names its key. */
public final class CallbackProperties {

    static final Set<String> KEYS = Set.of(
            "cutover.migration.version", "cutover.migration.script", "cutover.table", "cutover.column", "cutover.schema",
            "cutover.key", "cutover.references.schema", "cutover.references.table", "cutover.references.column",
            "cutover.on-delete", "cutover.foreign-key", "cutover.inspect", "cutover.newest-first-by", "cutover.sensitive",
            "cutover.baseline", "cutover.sample-size", "cutover.probe-timeout", "cutover.state-schema",
            "cutover.incident.id", "cutover.incident.reason", "cutover.incident.actor");

    private CallbackProperties() {
    }

    /** The resource from the context class loader, else this class's; a clear error when it is missing. */
    public static Properties load(String resource) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        InputStream in = loader == null ? null : loader.getResourceAsStream(resource);
        if (in == null) {
            in = CallbackProperties.class.getClassLoader().getResourceAsStream(resource);
        }
        if (in == null) {
            throw new CutoverConfigurationException(resource + " was not found on the classpath. The no-arg constructor of "
                    + CutoverCallback.class.getName() + " (flyway.callbacks=" + CutoverCallback.class.getName()
                    + ") reads its configuration from it: add it (e.g. src/main/resources/" + resource
                    + " with cutover.migration.version, cutover.table and cutover.column), or build the callback in code with "
                    + "CutoverCallback.forMigration(version, cutover).");
        }
        Properties properties = new Properties();
        try (InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new CutoverConfigurationException("Could not read " + resource + ": " + e.getMessage(), e);
        }
        return properties;
    }

    /** A builder configured from the properties, its settings already checked together. */
    public static CutoverCallback.Builder toBuilder(Properties p) {
        Set<String> unknown = new TreeSet<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("cutover.") && !KEYS.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new CutoverConfigurationException("Unknown key" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + " in cutover configuration; known keys: " + String.join(", ", new TreeSet<>(KEYS)));
        }
        NotNullCutover.Builder cutover = keyed("cutover.table",
                () -> NotNullCutover.builder(required(p, "cutover.table"), required(p, "cutover.column")));
        apply(p, "cutover.schema", v -> cutover.schema(v));
        apply(p, "cutover.key", v -> cutover.key(list(v)));
        String refTable = optional(p, "cutover.references.table");
        String refColumn = optional(p, "cutover.references.column");
        String refSchema = optional(p, "cutover.references.schema");
        if (refTable != null || refColumn != null || refSchema != null) {
            if (refTable == null) {
                throw new CutoverConfigurationException("cutover.references.table is missing: cutover.references."
                        + (refColumn != null ? "column" : "schema") + " needs it");
            }
            if (refColumn == null) {
                throw new CutoverConfigurationException("cutover.references.column is missing: cutover.references.table needs it");
            }
            keyed("cutover.references.table", () -> cutover.references(refSchema, refTable, refColumn));
        }
        apply(p, "cutover.on-delete", v -> cutover.onDelete(action(v)));
        apply(p, "cutover.foreign-key", v -> cutover.foreignKey(v));
        apply(p, "cutover.inspect", v -> cutover.inspect(list(v)));
        apply(p, "cutover.newest-first-by", v -> cutover.newestFirstBy(v));
        apply(p, "cutover.sensitive", v -> cutover.sensitive(list(v)));
        NotNullCutover built = keyed("cutover.table", cutover::build);

        String version = optional(p, "cutover.migration.version");
        String script = optional(p, "cutover.migration.script");
        if (version == null && script == null) {
            throw new CutoverConfigurationException("cutover.migration.version is missing: say which migration is the cutover "
                    + "(e.g. cutover.migration.version=17), or give cutover.migration.script");
        }
        if (version != null && script != null) {
            throw new CutoverConfigurationException("cutover.migration.version and cutover.migration.script are both set: "
                    + "give only one");
        }
        CutoverCallback.Builder b = version != null
                ? keyed("cutover.migration.version", () -> CutoverCallback.forMigration(version, built))
                : keyed("cutover.migration.script", () -> CutoverCallback.forScript(script, built));
        apply(p, "cutover.baseline", v -> b.baseline(number("cutover.baseline", v, Long::parseLong)));
        apply(p, "cutover.sample-size", v -> b.sampleSize(number("cutover.sample-size", v, Integer::parseInt)));
        apply(p, "cutover.probe-timeout", v -> b.probeTimeout(duration(v)));
        apply(p, "cutover.state-schema", v -> b.stateSchema(v));
        String incident = optional(p, "cutover.incident.id");
        String reason = optional(p, "cutover.incident.reason");
        if (incident != null || reason != null) {
            if (incident == null) {
                throw new CutoverConfigurationException("cutover.incident.id is missing: cutover.incident.reason needs it");
            }
            if (reason == null) {
                throw new CutoverConfigurationException("cutover.incident.reason is missing: an override of incident " + incident
                        + " needs a reason for the audit");
            }
            b.incidentOverride(incident, reason);
        }
        apply(p, "cutover.incident.actor", v -> b.actor(v));
        keyed("cutover.incident.actor", b::build);
        return b;
    }

    private static String required(Properties p, String key) {
        String value = optional(p, key);
        if (value == null) {
            throw new CutoverConfigurationException(key + " is missing" + (p.containsKey(key) ? " (empty)" : ""));
        }
        return value;
    }

    private static String optional(Properties p, String key) {
        String value = p.getProperty(key);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static void apply(Properties p, String key, Consumer<String> setter) {
        String value = optional(p, key);
        if (value != null) {
            keyed(key, () -> {
                setter.accept(value);
                return null;
            });
        }
    }

    /** Runs a setter; a configuration error it throws is prefixed with the key, unless it names the key already. */
    private static <T> T keyed(String key, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (CutoverConfigurationException e) {
            if (e.getMessage().startsWith("cutover.")) {
                throw e;
            }
            throw new CutoverConfigurationException(key + ": " + e.getMessage(), e);
        }
    }

    private static String[] list(String value) {
        List<String> items = Arrays.stream(value.split(",")).map(String::strip).toList();
        return items.toArray(String[]::new);
    }

    private static <N> N number(String key, String value, Function<String, N> parse) {
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw new CutoverConfigurationException(key + " must be a whole number, but was \"" + value + "\"");
        }
    }

    static ReferentialAction action(String value) {
        String normal = value.strip().toUpperCase(Locale.ROOT).replace('_', ' ').replace('-', ' ').replaceAll("\\s+", " ");
        for (ReferentialAction a : ReferentialAction.values()) {
            if (a.sql().equals(normal)) {
                return a;
            }
        }
        throw new CutoverConfigurationException("cutover.on-delete must be one of RESTRICT, NO ACTION, CASCADE, SET NULL, "
                + "SET DEFAULT, but was \"" + value + "\"");
    }

    static Duration duration(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(value.strip());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).strip()));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1).strip()));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1).strip()));
            }
        } catch (RuntimeException e) {
            // fall through to the message below
        }
        throw new CutoverConfigurationException("cutover.probe-timeout must be a duration such as 500ms, 30s, 2m or PT30S, but was \""
                + value + "\"");
    }
}
