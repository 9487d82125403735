package dev.cutover.flyway.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds, in the text of a SQL migration, the statements that would take a column's NOT NULL
 * away: {@code ALTER TABLE t ALTER [COLUMN] c DROP NOT NULL}, {@code ALTER TABLE t DROP
 * CONSTRAINT <one that carries it>}, {@code ALTER TABLE t DROP [COLUMN] c}, renaming the column
 * or the table, and {@code DROP TABLE t}. Conservative: identifiers are compared as PostgreSQL
 * folds them (unquoted ones in lower case, quoted ones as written), an unqualified table name
 * counts as the table whatever the search path, and the bodies of dollar-quoted blocks ({@code
 * DO $$ ... $$}, functions) are searched as SQL too. Comments and string literals are skipped.
 */
public final class DropStatements {

    private DropStatements() {
    }

    /** What the script would take away, one description per action found; empty when nothing. */
    public static List<String> find(String script, String schema, String table, String column, Set<String> constraints) {
        List<String> found = new ArrayList<>();
        for (List<Token> statement : split(Tokens.of(script, found, schema, table, column, constraints))) {
            // Wherever ALTER TABLE or DROP TABLE starts: after BEGIN in a block, after a label, ...
            for (int k = 0; k + 1 < statement.size(); k++) {
                if ((statement.get(k).is("alter") || statement.get(k).is("drop")) && statement.get(k + 1).is("table")) {
                    inspect(statement.subList(k, statement.size()), schema, table, column, constraints, found);
                }
            }
        }
        return found;
    }

    static void inspect(List<Token> s, String schema, String table, String column, Set<String> constraints, List<String> found) {
        if (s.size() >= 3 && s.get(0).is("drop") && s.get(1).is("table")) {
            int i = 2;
            if (s.get(i).is("if") && i + 1 < s.size() && s.get(i + 1).is("exists")) {
                i += 2;
            }
            for (List<Token> name : splitCommas(s.subList(i, s.size()))) {
                name = name.isEmpty() || !name.get(name.size() - 1).is("cascade") && !name.get(name.size() - 1).is("restrict")
                        ? name : name.subList(0, name.size() - 1);
                if (isTable(name, schema, table)) {
                    found.add("DROP TABLE " + table);
                }
            }
            return;
        }
        if (s.size() < 4 || !s.get(0).is("alter") || !s.get(1).is("table")) {
            return;
        }
        int i = 2;
        if (s.get(i).is("if") && s.get(i + 1).is("exists")) {
            i += 2;
        }
        if (i < s.size() && s.get(i).is("only")) {
            i++;
        }
        if (i >= s.size()) {
            return;
        }
        int nameEnd = i + 1;
        while (nameEnd + 1 < s.size() && s.get(nameEnd).is(".") && s.get(nameEnd + 1).identifier()) {
            nameEnd += 2;
        }
        if (!isTable(s.subList(i, nameEnd), schema, table)) {
            return;
        }
        if (nameEnd < s.size() && s.get(nameEnd).is("*")) {
            nameEnd++;
        }
        for (List<Token> action : splitCommas(s.subList(nameEnd, s.size()))) {
            String what = action(action, column, constraints);
            if (what != null) {
                found.add(what);
            }
        }
    }

    private static String action(List<Token> a, String column, Set<String> constraints) {
        if (a.isEmpty()) {
            return null;
        }
        int i = 1;
        if (a.get(0).is("alter")) {
            i = skip(a, i, "column");
            if (i + 2 < a.size() && a.get(i).name().equals(column) && a.get(i + 1).is("drop") && a.get(i + 2).is("not")) {
                return "ALTER COLUMN " + column + " DROP NOT NULL";
            }
            return null;
        }
        if (a.get(0).is("drop")) {
            if (i < a.size() && a.get(i).is("constraint")) {
                i = skipIfExists(a, i + 1);
                return i < a.size() && constraints.contains(a.get(i).name()) ? "DROP CONSTRAINT " + a.get(i).name() : null;
            }
            i = skipIfExists(a, skip(a, i, "column"));
            return i < a.size() && a.get(i).name().equals(column) ? "DROP COLUMN " + column : null;
        }
        if (a.get(0).is("rename")) {
            if (i < a.size() && a.get(i).is("to")) {
                return "RENAME the table";
            }
            if (i < a.size() && a.get(i).is("constraint")) {
                return i + 1 < a.size() && constraints.contains(a.get(i + 1).name()) ? "RENAME CONSTRAINT " + a.get(i + 1).name() : null;
            }
            i = skip(a, i, "column");
            return i < a.size() && a.get(i).name().equals(column) ? "RENAME COLUMN " + column : null;
        }
        return null;
    }

    private static int skip(List<Token> a, int i, String word) {
        return i < a.size() && a.get(i).is(word) ? i + 1 : i;
    }

    private static int skipIfExists(List<Token> a, int i) {
        return i + 1 < a.size() && a.get(i).is("if") && a.get(i + 1).is("exists") ? i + 2 : i;
    }

    /** {@code t}, {@code s.t} or {@code db.s.t}: the table when its last part is, and its schema when given is. */
    static boolean isTable(List<Token> name, String schema, String table) {
        List<Token> parts = name.stream().filter(t -> !t.is(".")).toList();
        if (parts.isEmpty() || parts.size() > 3 || parts.stream().anyMatch(t -> !t.identifier())) {
            return false;
        }
        if (!parts.get(parts.size() - 1).name().equals(table)) {
            return false;
        }
        return parts.size() == 1 || parts.get(parts.size() - 2).name().equals(schema);
    }

    private static List<List<Token>> split(List<Token> tokens) {
        List<List<Token>> statements = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        for (Token t : tokens) {
            if (t.is(";")) {
                statements.add(current);
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
        }
        statements.add(current);
        return statements;
    }

    /** Splits at the commas outside parentheses. */
    static List<List<Token>> splitCommas(List<Token> tokens) {
        List<List<Token>> parts = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        int depth = 0;
        for (Token t : tokens) {
            if (t.is("(")) {
                depth++;
            } else if (t.is(")")) {
                depth--;
            } else if (t.is(",") && depth == 0) {
                parts.add(current);
                current = new ArrayList<>();
                continue;
            }
            current.add(t);
        }
        parts.add(current);
        return parts;
    }

    /** A word (folded to lower case unless quoted), a quoted identifier, or one character of punctuation. */
    record Token(String text, boolean quoted, boolean word) {

        boolean is(String keyword) {
            return !quoted && text.equals(keyword);
        }

        boolean identifier() {
            return quoted || word;
        }

        String name() {
            return identifier() ? text : "";
        }
    }

    /** The tokenizer: skips comments and literals, searches dollar-quoted bodies as statements of their own. */
    static final class Tokens {
        private final String sql;
        private final List<Token> out = new ArrayList<>();
        private final List<String> found;
        private final String schema;
        private final String table;
        private final String column;
        private final Set<String> constraints;
        private int i;

        private Tokens(String sql, List<String> found, String schema, String table, String column, Set<String> constraints) {
            this.sql = sql;
            this.found = found;
            this.schema = schema;
            this.table = table;
            this.column = column;
            this.constraints = constraints;
        }

        static List<Token> of(String sql, List<String> found, String schema, String table, String column, Set<String> constraints) {
            Tokens t = new Tokens(sql, found, schema, table, column, constraints);
            t.run();
            return t.out;
        }

        private void run() {
            int n = sql.length();
            while (i < n) {
                char c = sql.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '-' && at("--")) {
                    int end = sql.indexOf('\n', i);
                    i = end < 0 ? n : end + 1;
                } else if (c == '/' && at("/*")) {
                    blockComment();
                } else if (c == '\'') {
                    string(false);
                } else if ((c == 'e' || c == 'E') && i + 1 < n && sql.charAt(i + 1) == '\'' && !wordBefore()) {
                    i++;
                    string(true);
                } else if (c == '"') {
                    quotedIdentifier();
                } else if (c == '$' && dollarTag() != null) {
                    dollarBody(dollarTag());
                } else if (Character.isLetter(c) || c == '_') {
                    int start = i;
                    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                        i++;
                    }
                    out.add(new Token(sql.substring(start, i).toLowerCase(Locale.ROOT), false, true));
                } else if (Character.isDigit(c)) {
                    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
                        i++;
                    }
                    out.add(new Token("0", false, false));
                } else {
                    out.add(new Token(String.valueOf(c), false, false));
                    i++;
                }
            }
        }

        private boolean at(String s) {
            return sql.startsWith(s, i);
        }

        private boolean wordBefore() {
            return i > 0 && (Character.isLetterOrDigit(sql.charAt(i - 1)) || sql.charAt(i - 1) == '_');
        }

        private void blockComment() {
            int depth = 0;
            while (i < sql.length()) {
                if (at("/*")) {
                    depth++;
                    i += 2;
                } else if (at("*/")) {
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

        private void string(boolean backslashes) {
            i++;
            while (i < sql.length()) {
                char c = sql.charAt(i);
                if (backslashes && c == '\\') {
                    i += 2;
                } else if (c == '\'') {
                    if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                        i += 2;
                    } else {
                        i++;
                        return;
                    }
                } else {
                    i++;
                }
            }
        }

        private void quotedIdentifier() {
            StringBuilder name = new StringBuilder();
            i++;
            while (i < sql.length()) {
                char c = sql.charAt(i);
                if (c == '"') {
                    if (i + 1 < sql.length() && sql.charAt(i + 1) == '"') {
                        name.append('"');
                        i += 2;
                    } else {
                        i++;
                        break;
                    }
                } else {
                    name.append(c);
                    i++;
                }
            }
            out.add(new Token(name.toString(), true, false));
        }

        /** {@code $$} or {@code $tag$} at the position, else null. */
        private String dollarTag() {
            if (wordBefore()) {
                return null;
            }
            int j = i + 1;
            while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                j++;
            }
            if (j < sql.length() && sql.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1)))) {
                return sql.substring(i, j + 1);
            }
            return null;
        }

        private void dollarBody(String tag) {
            int start = i + tag.length();
            int end = sql.indexOf(tag, start);
            String body = end < 0 ? sql.substring(start) : sql.substring(start, end);
            found.addAll(find(body, schema, table, column, constraints));
            out.add(new Token("$", false, false));
            i = end < 0 ? sql.length() : end + tag.length();
        }
    }
}
