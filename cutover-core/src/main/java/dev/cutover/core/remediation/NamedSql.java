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
 * literals, quoted identifiers, dollar quotes, comments and {@code ::} casts.
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
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int end = closing(s, i + 1, c);
                out.append(s, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                int end = s.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(s, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(s, i, end);
                i = end;
            } else if (c == '$' && dollarTag(s, i) != null) {
                String tag = dollarTag(s, i);
                int end = s.indexOf(tag, i + tag.length());
                end = end < 0 ? n : end + tag.length();
                out.append(s, i, end);
                i = end;
            } else if (c == ':' && i + 1 < n && s.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < n && Character.isJavaIdentifierStart(s.charAt(i + 1)) && s.charAt(i + 1) != '$') {
                int end = i + 1;
                while (end < n && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                    end++;
                }
                names.add(s.substring(i + 1, end));
                out.append('?');
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return new NamedSql(s, out.toString(), names);
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
