package dev.cutover.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row whose column is NULL, as a probe shows it.
 *
 * @param key     the key columns and their values, in key order
 * @param columns the inspected columns and their values, in the configured order;
 *                sensitive values are already masked
 */
public record NullRow(Map<String, Object> key, Map<String, Object> columns) {

    public NullRow {
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    @Override
    public String toString() {
        return columns.isEmpty() ? key.toString() : columns.toString();
    }
}
