package dev.cutover.core.remediation;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import dev.cutover.core.internal.Masking;
import dev.cutover.core.internal.Values;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.Texts;
import dev.cutover.core.internal.Retries;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A query with {@code :name} parameters, rewritten to JDBC's {@code ?}. Skips string
 * literals (and {@code E'...'} strings with backslash escapes), quoted identifiers, dollar
 * quotes, comments (block comments nest), {@code ::} casts and array slices
 * ({@code a[1:n]}: inside square brackets a colon is a slice, never a parameter). A {@code ?}
 * outside those (jsonb's {@code ?}, {@code ?|}, {@code ?&}) is doubled, which the driver reads
 * as one {@code ?} operator.
 *
 * @param sql        the query as given
 * @param jdbcSql    the query with {@code ?} in place of each parameter
 * @param parameters the parameter names in the order of the {@code ?}
 */
record NamedSql(String sql, String jdbcSql, List<String> parameters) {

    public NamedSql {
        parameters = List.copyOf(parameters);
    }

    public static NamedSql parse(String sql) {
        Objects.requireNonNull(sql, "sql");
        if (sql.isBlank()) {
            throw new IllegalArgumentException("lookup sql must not be blank");
        }
        String s = sql.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).stripTrailing();
        }
        StringBuilder out = new StringBuilder(s.length());
        List<String> names = new ArrayList<>();
        int i = 0;
        int n = s.length();
        int brackets = 0;
        while (i < n) {
            char c = s.charAt(i);
            int end;
            if ((c == 'E' || c == 'e') && i + 1 < n && s.charAt(i + 1) == '\'' && (i == 0 || !isWordChar(s.charAt(i - 1)))) {
                end = closingEscaped(s, i + 2);
            } else if (c == '\'' || c == '"') {
                end = closing(s, i + 1, c);
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                int nl = s.indexOf('\n', i);
                end = nl < 0 ? n : nl;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                end = closingComment(s, i + 2);
            } else if (c == '$' && dollarTag(s, i) != null) {
                String tag = dollarTag(s, i);
                int close = s.indexOf(tag, i + tag.length());
                end = close < 0 ? n : close + tag.length();
            } else if (c == ':' && i + 1 < n && s.charAt(i + 1) == ':') {
                end = i + 2;
            } else if (c == ':' && brackets == 0 && i + 1 < n && Character.isJavaIdentifierStart(s.charAt(i + 1))
                    && s.charAt(i + 1) != '$') {
                end = i + 1;
                while (end < n && isWordChar(s.charAt(end))) {
                    end++;
                }
                names.add(s.substring(i + 1, end));
                out.append('?');
                i = end;
                continue;
            } else if (c == '?') {
                // jsonb's ?, ?| and ?& operators: the driver reads a doubled ? as one, not as a parameter.
                out.append("??");
                i++;
                continue;
            } else {
                brackets += c == '[' ? 1 : c == ']' && brackets > 0 ? -1 : 0;
                end = i + 1;
            }
            out.append(s, i, end);
            i = end;
        }
        return new NamedSql(s, out.toString(), names);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** The end of an {@code E'...'} string, where a backslash escapes the next character. */
    private static int closingEscaped(String s, int from) {
        int i = from;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                i += 2;
            } else if (c == '\'') {
                return i + 1;
            } else {
                i++;
            }
        }
        return s.length();
    }

    /** The end of a block comment; PostgreSQL's block comments nest. */
    private static int closingComment(String s, int from) {
        int depth = 1;
        int i = from;
        while (i < s.length() && depth > 0) {
            if (s.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (s.startsWith("*/", i)) {
                depth--;
                i += 2;
            } else {
                i++;
            }
        }
        return i;
    }

    private static int closing(String s, int from, char quote) {
        int i = from;
        while (i < s.length()) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return s.length();
    }

    private static String dollarTag(String s, int at) {
        int i = at + 1;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
            i++;
        }
        if (i < s.length() && s.charAt(i) == '$' && (i == at + 1 || !Character.isDigit(s.charAt(at + 1)))) {
            return s.substring(at, i + 1);
        }
        return null;
    }
}
