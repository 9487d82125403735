package dev.cutover.core.remediation;

import dev.cutover.core.CutoverConfigurationException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A row whose column is NULL, as a {@link RemediationPolicy} sees it: values are
 * <em>not</em> masked. Dates and times are {@code java.time} values.
 *
 * @param key    the key columns and their values, in key order
 * @param values the key columns, then the cutover's {@code inspect} columns, and their values
 */
public record RemediationRow(Map<String, Object> key, Map<String, Object> values) {

    public RemediationRow {
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * One column's value; {@code null} when the column holds NULL.
     *
     * @throws CutoverConfigurationException when the column is neither a key nor an inspect column
     */
    public Object value(String column) {
        if (!values.containsKey(column)) {
            throw new CutoverConfigurationException("Column " + column + " is not among the row's columns " + values.keySet()
                    + "; add it to NotNullCutover.builder(...).inspect(...)");
        }
        return values.get(column);
    }

    /** Only the key: values may be sensitive, and a row's {@code toString} ends up in logs. */
    @Override
    public String toString() {
        return "RemediationRow" + key;
    }
}
