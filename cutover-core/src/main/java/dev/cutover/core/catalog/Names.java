package dev.cutover.core.catalog;

import dev.cutover.core.CutoverConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL names as people read them, and the check of a name from configuration. Statements
 * never use this rendering: cutover quotes every name through jOOQ.
 *
 * <pre>{@code
 * Names.display("public", "user");       // public."user"
 * Names.display("Orders");               // "Orders"
 * Names.require("table", configured);    // refuses null, empty, NUL and names over 63 bytes
 * }</pre>
 */
public final class Names {

    /** PostgreSQL truncates longer names to this many bytes (NAMEDATALEN - 1). */
    public static final int MAX_BYTES = 63;

    private static final Set<String> RESERVED = Set.of(
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary",
            "both", "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create",
            "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
            "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
            "except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having",
            "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading",
            "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset",
            "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning",
            "right", "select", "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample",
            "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
            "where", "window", "with");

    private Names() {
    }

    /**
     * Refuses what PostgreSQL could not hold as a name: null, empty, NUL characters, more
     * than 63 bytes in UTF-8 (PostgreSQL would silently truncate it and act on another object).
     *
     * @param what what the name is, for the message ("table", "key column")
     * @return the name, unchanged
     * @throws CutoverConfigurationException naming what is wrong
     */
    public static String require(String what, String name) {
        if (name == null) {
            throw new CutoverConfigurationException(what + " must not be null");
        }
        if (name.isEmpty()) {
            throw new CutoverConfigurationException(what + " must not be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new CutoverConfigurationException(what + " must not contain a NUL character, but was "
                    + display(name.replace("\0", "\\0")));
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new CutoverConfigurationException(what + " must be at most " + MAX_BYTES + " bytes in UTF-8 (PostgreSQL "
                    + "would truncate it and act on another name), but " + display(name) + " has " + bytes);
        }
        return name;
    }

    /** The name as {@code quote_ident} would write it: bare when lower-case and not reserved. */
    public static String display(String name) {
        if (name.matches("[a-z_][a-z0-9_$]*") && !RESERVED.contains(name)) {
            return name;
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code schema.table} for people. */
    public static String display(String schema, String table) {
        return display(schema) + "." + display(table);
    }

    /** {@code a, "B", c}: names for people, comma-separated. */
    public static String display(List<String> names) {
        return String.join(", ", names.stream().map(Names::display).toList());
    }
}
