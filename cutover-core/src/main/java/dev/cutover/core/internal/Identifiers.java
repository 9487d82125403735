package dev.cutover.core.internal;

import dev.cutover.core.catalog.Names;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names for people and names cutover makes up. Statements never use this rendering: they quote
 * through jOOQ's {@code DSL.name}.
 */
public final class Identifiers {

    /** PostgreSQL truncates longer names to this many bytes (NAMEDATALEN - 1). */
    public static final int MAX_BYTES = Names.MAX_BYTES;

    private Identifiers() {
    }

    /** See {@link Names#require(String, String)}. */
    public static String require(String what, String name) {
        return Names.require(what, name);
    }

    /** See {@link Names#display(String)}. */
    public static String display(String name) {
        return Names.display(name);
    }

    /** See {@link Names#display(String, String)}. */
    public static String display(String schema, String table) {
        return Names.display(schema, table);
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
