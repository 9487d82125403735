package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.flyway.CutoverCallback;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The cutovers configured under {@code cutover.cutovers[n]}, checked and built. A bean of the
 * auto-configuration: inject it to reach the {@link NotNullCutover}s the application guards.
 *
 * <pre>{@code
 * @Bean
 * ApplicationRunner remediate(ConfiguredCutovers cutovers, DataSource ds) {
 *     NotNullCutover cutover = cutovers.all().get(0).cutover();
 *     return args -> Remediation.builder(CutoverDatabase.of(ds), cutover).policy(policy).build().run();
 * }
 * }</pre>
 */
public final class ConfiguredCutovers {

    private final List<ConfiguredCutover> all;

    private ConfiguredCutovers(List<ConfiguredCutover> all) {
        this.all = List.copyOf(all);
    }

    /** The cutovers, in the order of their indexes. */
    public List<ConfiguredCutover> all() {
        return all;
    }

    /**
     * One configured cutover.
     *
     * @param property  the property prefix it was configured under, e.g. {@code cutover.cutovers[0]}
     * @param cutover   the cutover
     * @param migration the cutover migration, its version or its script name
     * @param baseline  the Stage A NULL baseline
     */
    public record ConfiguredCutover(String property, NotNullCutover cutover, String migration, long baseline) {
        public ConfiguredCutover {
            Objects.requireNonNull(property, "property");
            Objects.requireNonNull(cutover, "cutover");
            Objects.requireNonNull(migration, "migration");
        }
    }

    /**
     * Checks every value and builds the cutovers.
     *
     * @throws InvalidConfigurationPropertyValueException naming the first property that cannot be used
     */
    static ConfiguredCutovers of(CutoverProperties properties) {
        List<ConfiguredCutover> all = new ArrayList<>();
        List<CutoverProperties.Cutover> entries = properties.getCutovers();
        for (int i = 0; i < entries.size(); i++) {
            all.add(build("cutover.cutovers[" + i + "]", entries.get(i)));
        }
        for (int i = 0; i < all.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (all.get(i).cutover().subject().equals(all.get(j).cutover().subject())) {
                    throw invalid(all.get(i).property() + ".column", all.get(i).cutover().column(),
                            all.get(i).cutover().subject() + " is configured twice, also as " + all.get(j).property());
                }
            }
        }
        return new ConfiguredCutovers(all);
    }

    private static ConfiguredCutover build(String p, CutoverProperties.Cutover c) {
        String table = required(p + ".table", c.getTable(), "the table whose column becomes NOT NULL, e.g. user");
        String column = required(p + ".column", c.getColumn(), "the column that becomes NOT NULL, e.g. organization_id");
        String migration = required(p + ".migration", c.getMigration(),
                "the cutover migration's version (e.g. 17) or script name (e.g. V17__user_org_not_null.sql)");
        NotNullCutover.Builder b = attempt(p + ".table", table, () -> NotNullCutover.builder(table, column));
        set(p + ".schema", c.getSchema(), b::schema);
        if (!c.getKey().isEmpty()) {
            set(p + ".key", c.getKey(), v -> b.key(v.toArray(String[]::new)));
        }
        CutoverProperties.References r = c.getReferences();
        if (r.getTable() != null || r.getColumn() != null || r.getSchema() != null) {
            String refTable = required(p + ".references.table", r.getTable(), "the table the foreign key references");
            String refColumn = required(p + ".references.column", r.getColumn(), "the column the foreign key references");
            set(p + ".references.table", refTable, v -> {
                if (r.getSchema() != null) {
                    b.references(r.getSchema(), refTable, refColumn);
                } else {
                    b.references(refTable, refColumn);
                }
            });
        }
        if (c.getOnDelete() != null) {
            set(p + ".on-delete", c.getOnDelete(), v -> b.onDelete(action(v)));
        }
        if (c.getForeignKey() != null) {
            set(p + ".foreign-key", c.getForeignKey(), b::foreignKey);
        }
        if (!c.getInspect().isEmpty()) {
            set(p + ".inspect", c.getInspect(), v -> b.inspect(v.toArray(String[]::new)));
        }
        if (c.getNewestFirstBy() != null) {
            set(p + ".newest-first-by", c.getNewestFirstBy(), b::newestFirstBy);
        }
        if (!c.getSensitive().isEmpty()) {
            set(p + ".sensitive", c.getSensitive(), v -> b.sensitive(v.toArray(String[]::new)));
        }
        if (c.getBaseline() < 0) {
            throw invalid(p + ".baseline", c.getBaseline(), "the baseline must be at least 0");
        }
        NotNullCutover cutover = attempt(p, null, b::build);
        // The migration, sample size and baseline are checked by the callback's own builder.
        attempt(p + ".migration", migration, () -> callbackBuilder(migration, cutover));
        attempt(p + ".sample-size", c.getSampleSize(), () -> callbackBuilder(migration, cutover).sampleSize(c.getSampleSize()));
        return new ConfiguredCutover(p, cutover, migration, c.getBaseline());
    }

    static CutoverCallback.Builder callbackBuilder(String migration, NotNullCutover cutover) {
        return looksLikeScript(migration) ? CutoverCallback.forScript(migration, cutover)
                : CutoverCallback.forMigration(migration, cutover);
    }

    private static boolean looksLikeScript(String migration) {
        return migration.contains("__") || migration.contains("/") || migration.contains(".sql") || migration.contains(".java");
    }

    static ReferentialAction action(String value) {
        String normal = value.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        for (ReferentialAction a : ReferentialAction.values()) {
            if (a.name().equals(normal)) {
                return a;
            }
        }
        throw new IllegalArgumentException("the ON DELETE action must be one of RESTRICT, NO_ACTION, CASCADE, SET_NULL, SET_DEFAULT");
    }

    static String required(String property, String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigurationPropertyValueException(property, value == null ? "" : value,
                    "it must be set: " + what);
        }
        return value.strip();
    }

    static <T> void set(String property, T value, Consumer<T> setter) {
        attempt(property, value, () -> {
            setter.accept(value);
            return null;
        });
    }

    interface Attempt<R> {
        R get();
    }

    static <R> R attempt(String property, Object value, Attempt<R> attempt) {
        try {
            return attempt.get();
        } catch (CutoverException | IllegalArgumentException e) {
            throw invalid(property, value, e.getMessage());
        }
    }

    static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(property, value == null ? "" : value, reason);
    }

    @Override
    public String toString() {
        return "ConfiguredCutovers" + all.stream().map(c -> c.cutover().subject() + " (migration " + c.migration() + ")").toList();
    }
}
