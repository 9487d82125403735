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
        return find(script, schema, table, column, constraints, null, null);
    }

    /**
     * The same, and what would drop the foreign key from the other side: {@code DROP TABLE} of the
     * referenced table, or a {@code DROP ... CASCADE} on it ({@code DROP CONSTRAINT <its key>
     * CASCADE}, {@code DROP COLUMN ... CASCADE}), and {@code DROP SCHEMA ... CASCADE} of either
     * table's schema. {@code referencedTable} may be null (no foreign key expected).
     */
    public static List<String> find(String script, String schema, String table, String column, Set<String> constraints,
            String referencedSchema, String referencedTable) {
        List<String> found = new ArrayList<>();
        Target target = new Target(schema, table, column, constraints, referencedSchema, referencedTable);
        for (List<Token> statement : split(Tokens.of(script, found, target))) {
            // Wherever ALTER TABLE or DROP TABLE starts: after BEGIN in a block, after a label, ...
            for (int k = 0; k + 1 < statement.size(); k++) {
                if ((statement.get(k).is("alter") || statement.get(k).is("drop")) && statement.get(k + 1).is("table")) {
                    inspect(statement.subList(k, statement.size()), schema, table, column, constraints, found);
                    if (referencedTable != null) {
                        inspectReferenced(statement.subList(k, statement.size()), referencedSchema, referencedTable, found);
                    }
                } else if (statement.get(k).is("drop") && statement.get(k + 1).is("schema") && cascades(statement)) {
                    dropSchema(statement.subList(k + 2, statement.size()), target, found);
                }
            }
        }
        return found;
    }

    /** What the search looks for. */
    record Target(String schema, String table, String column, Set<String> constraints, String referencedSchema,
            String referencedTable) {
    }

    private static boolean cascades(List<Token> statement) {
        return statement.stream().anyMatch(t -> t.is("cascade"));
    }

    private static void dropSchema(List<Token> names, Target target, List<String> found) {
        for (Token name : names) {
            if (name.identifier() && !name.is("if") && !name.is("exists") && !name.is("cascade")
                    && (name.name().equals(target.schema()) || name.name().equals(target.referencedSchema()))) {
                found.add("DROP SCHEMA " + name.name() + " CASCADE");
            }
        }
    }

    /** DROP TABLE of the referenced table, or a DROP ... CASCADE on it: the foreign key goes with it. */
    private static void inspectReferenced(List<Token> s, String schema, String table, List<String> found) {
        if (s.size() >= 3 && s.get(0).is("drop") && s.get(1).is("table")) {
            int i = s.get(2).is("if") && s.size() > 3 && s.get(3).is("exists") ? 4 : 2;
            for (List<Token> name : splitCommas(s.subList(i, s.size()))) {
                List<Token> bare = name.stream().filter(t -> !t.is("cascade") && !t.is("restrict")).toList();
                if (isTable(bare, schema, table) && cascades(s)) {
                    found.add("DROP TABLE " + table + " CASCADE (drops the foreign key)");
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
        int nameEnd = i + 1;
        while (nameEnd + 1 < s.size() && s.get(nameEnd).is(".") && s.get(nameEnd + 1).identifier()) {
            nameEnd += 2;
        }
        if (nameEnd > s.size() || !isTable(s.subList(i, nameEnd), schema, table)) {
            return;
        }
        for (List<Token> action : splitCommas(s.subList(nameEnd, s.size()))) {
            if (!action.isEmpty() && action.get(0).is("drop") && cascades(action)) {
                found.add("DROP ... CASCADE on " + table + " (drops the foreign key)");
            }
        }
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
        private final Target target;
        private int i;

        private Tokens(String sql, List<String> found, Target target) {
            this.sql = sql;
            this.found = found;
            this.target = target;
        }

        static List<Token> of(String sql, List<String> found, Target target) {
            Tokens t = new Tokens(sql, found, target);
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
            found.addAll(find(body, target.schema(), target.table(), target.column(), target.constraints(),
                    target.referencedSchema(), target.referencedTable()));
            out.add(new Token("$", false, false));
            i = end < 0 ? sql.length() : end + tag.length();
        }
    }
}
