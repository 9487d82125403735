package dev.cutover.flyway.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.flywaydb.core.api.configuration.Configuration;

/**
 * A SQL migration's text with Flyway's placeholders ({@code ${name}}, with the configured prefix
 * and suffix) replaced by their configured values, as Flyway will run it: the guard reads what
 * runs, so {@code ALTER TABLE ${table} ALTER COLUMN ${column} DROP NOT NULL} is found too.
 * {@code ${flyway:defaultSchema}} and {@code ${flyway:table}} are Flyway's own; the default
 * schema, when none is configured (Flyway then takes the connection's), is read as the guarded
 * table's schema, so that a drop is found rather than missed. A placeholder with no value is left
 * as it is (Flyway refuses to run such a script).
 */
public final class Placeholders {

    private Placeholders() {
    }

    /** The text with the placeholders replaced, or the text as it is when replacement is off. */
    public static String expand(String text, Configuration configuration, String guardedSchema) {
        if (!configuration.isPlaceholderReplacement()) {
            return text;
        }
        String prefix = configuration.getPlaceholderPrefix();
        String suffix = configuration.getPlaceholderSuffix();
        if (prefix == null || prefix.isEmpty() || suffix == null || suffix.isEmpty() || !text.contains(prefix)) {
            return text;
        }
        Map<String, String> values = values(configuration, guardedSchema);
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf(prefix, i);
            int end = start < 0 ? -1 : text.indexOf(suffix, start + prefix.length());
            if (start < 0 || end < 0) {
                out.append(text, i, text.length());
                break;
            }
            String name = text.substring(start + prefix.length(), end);
            String value = values.get(name.toLowerCase(Locale.ROOT));
            out.append(text, i, start).append(value != null ? value : text.substring(start, end + suffix.length()));
            i = end + suffix.length();
        }
        return out.toString();
    }

    private static Map<String, String> values(Configuration configuration, String guardedSchema) {
        Map<String, String> values = new HashMap<>();
        String schema = configuration.getDefaultSchema();
        if (schema == null && configuration.getSchemas() != null && configuration.getSchemas().length > 0) {
            schema = configuration.getSchemas()[0];
        }
        values.put("flyway:defaultschema", schema != null ? schema : guardedSchema);
        if (configuration.getTable() != null) {
            values.put("flyway:table", configuration.getTable());
        }
        if (configuration.getPlaceholders() != null) {
            configuration.getPlaceholders().forEach((k, v) -> values.put(k.toLowerCase(Locale.ROOT), v));
        }
        return values;
    }
}
