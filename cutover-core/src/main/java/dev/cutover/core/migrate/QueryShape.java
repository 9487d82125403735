package dev.cutover.core.migrate;

/**
 * The shape of another session's query, as {@code pg_stat_statements} normalizes it: string
 * literals (plain, {@code E''}, {@code B''}, {@code X''}, {@code U&''} and dollar-quoted) and
 * numbers become {@code $1}, {@code $2}, ...; comments are dropped; identifiers, keywords and
 * parameters stay. So a blocker report shows which statement holds the table, never its values.
 */
final class QueryShape {

    private final String sql;
    private final StringBuilder out = new StringBuilder();
    private int i;
    private int literals;

    private QueryShape(String sql) {
        this.sql = sql;
    }

    /** {@code update t set email = 'jane@example.com' where id = 42} becomes {@code update t set email = $1 where id = $2}. */
    static String of(String sql) {
        QueryShape shape = new QueryShape(sql == null ? "" : sql);
        shape.run();
        return shape.out.toString();
    }

    private void run() {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                skipBlockComment();
                out.append(' ');
            } else if (c == '\'') {
                skipString(false);
                literal();
            } else if (prefixedString(c)) {
                boolean backslashes = c == 'e' || c == 'E';
                i += (c == 'u' || c == 'U') ? 2 : 1;
                skipString(backslashes);
                literal();
            } else if (c == '"') {
                copyQuotedIdentifier();
            } else if (c == '$' && dollarTag() != null) {
                String tag = dollarTag();
                int end = sql.indexOf(tag, i + tag.length());
                i = end < 0 ? n : end + tag.length();
                literal();
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                out.append(c);
                i++;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    out.append(sql.charAt(i++));
                }
            } else if (Character.isLetter(c) || c == '_') {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    out.append(sql.charAt(i++));
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                skipNumber();
                literal();
            } else {
                out.append(c);
                i++;
            }
        }
    }

    private void literal() {
        out.append('$').append(++literals);
    }

    /** {@code E'}, {@code B'}, {@code X'}, {@code N'} or {@code U&'} starting a literal (not the end of a word). */
    private boolean prefixedString(char c) {
        boolean wordBefore = i > 0 && (Character.isLetterOrDigit(sql.charAt(i - 1)) || sql.charAt(i - 1) == '_');
        if (wordBefore) {
            return false;
        }
        if ("eEbBxXnN".indexOf(c) >= 0) {
            return i + 1 < sql.length() && sql.charAt(i + 1) == '\'';
        }
        return (c == 'u' || c == 'U') && sql.startsWith("&'", i + 1);
    }

    private void skipString(boolean backslashes) {
        i++;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (backslashes && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                i++;
                if (i < sql.length() && sql.charAt(i) == '\'') {
                    i++;
                } else {
                    return;
                }
            } else {
                i++;
            }
        }
    }

    private void skipNumber() {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            boolean exponentSign = (c == '+' || c == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E');
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_' || exponentSign) {
                i++;
            } else {
                return;
            }
        }
    }

    private void skipBlockComment() {
        int depth = 0;
        while (i < sql.length()) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                i++;
            }
        }
    }

    private void copyQuotedIdentifier() {
        out.append('"');
        i++;
        while (i < sql.length()) {
            char c = sql.charAt(i++);
            out.append(c);
            if (c == '"') {
                if (i < sql.length() && sql.charAt(i) == '"') {
                    out.append('"');
                    i++;
                } else {
                    return;
                }
            }
        }
    }

    /** {@code $$} or {@code $tag$} at the position, else null. */
    private String dollarTag() {
        if (i > 0 && (Character.isLetterOrDigit(sql.charAt(i - 1)) || sql.charAt(i - 1) == '_')) {
            return null;
        }
        int j = i + 1;
        while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        boolean valid = j < sql.length() && sql.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1)));
        return valid ? sql.substring(i, j + 1) : null;
    }
}
