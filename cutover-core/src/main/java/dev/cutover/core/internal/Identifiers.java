package dev.cutover.core.internal;

import dev.cutover.core.CutoverConfigurationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Checks identifiers from configuration and renders them for people. Statements never use
 * this rendering: they quote through jOOQ's {@code DSL.name}.
 */
public final class Identifiers {

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

    private Identifiers() {
    }

    /**
     * Refuses what PostgreSQL could not hold as a name: null, empty, NUL characters, more
     * than 63 bytes in UTF-8 (PostgreSQL would silently truncate it and act on another object).
     */
    public static String require(String what, String name) {
        if (name == null) {
            throw new CutoverConfigurationException(what + " must not be null");
        }
        if (name.isEmpty()) {
            throw new CutoverConfigurationException(what + " must not be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new CutoverConfigurationException(what + " must not contain a NUL character, but was " + display(name.replace("\0", "\\0")));
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

    /**
     * A name made up by cutover ({@code cutover_user_organization_id_null}), kept as it is when
     * it fits in 63 bytes, else cut at a character boundary and ended with {@code _} and eight
     * hex digits of its SHA-256, so that two long names stay apart and the result is stable.
     */
    public static String fit(String full) {
        if (full.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return full;
        }
        String hash;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(full.getBytes(StandardCharsets.UTF_8));
            hash = HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder prefix = new StringBuilder();
        int budget = MAX_BYTES - 1 - hash.length();
        int used = 0;
        for (int i = 0; i < full.length(); ) {
            int cp = full.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            int bytes = ch.getBytes(StandardCharsets.UTF_8).length;
            if (used + bytes > budget) {
                break;
            }
            prefix.append(ch);
            used += bytes;
            i += Character.charCount(cp);
        }
        return prefix + "_" + hash;
    }
}
