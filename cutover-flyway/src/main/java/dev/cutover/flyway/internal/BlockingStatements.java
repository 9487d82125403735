package dev.cutover.flyway.internal;

import dev.cutover.flyway.internal.DropStatements.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds, in the text of a SQL migration, the statements on a table that read all of it while
 * holding a lock that stops its writers: {@code ALTER [COLUMN] c SET NOT NULL} (a scan under
 * {@code ACCESS EXCLUSIVE}, unless a valid CHECK already proves it), and {@code ADD ... FOREIGN
 * KEY} / {@code CHECK} / {@code NOT NULL} constraints without {@code NOT VALID}, which validate
 * at once. Identifiers compare as PostgreSQL folds them; comments and literals are skipped.
 * Statements inside dollar-quoted bodies ({@code DO $$ ... $$}) are not inspected.
 */
public final class BlockingStatements {

    private BlockingStatements() {
    }

    /**
     * One description per blocking action found, in script order; empty when none.
     *
     * @param provedNotNull whether the catalog already shows the column NOT NULL or a validated
     *                      CHECK proving it, so that {@code SET NOT NULL} reads nothing
     * @param transactional whether the script runs in one transaction; outside one, a {@code SET
     *                      NOT NULL} after a {@code VALIDATE CONSTRAINT} of the script reads nothing
     */
    public static List<String> find(String script, String schema, String table, String column, boolean provedNotNull,
                                    boolean transactional) {
        List<String> found = new ArrayList<>();
        boolean validated = false;
        List<Token> tokens = DropStatements.Tokens.of(script, new ArrayList<>(),
                new DropStatements.Target(schema, table, column, Set.of(), schema, null));
        for (List<Token> statement : statements(tokens)) {
            List<Token> actions = actionsOn(statement, schema, table);
            if (actions == null) {
                continue;
            }
            for (List<Token> action : DropStatements.splitCommas(actions)) {
                if (has(action, "validate", "constraint")) {
                    validated = true;
                }
                String what = blocking(action, column, provedNotNull || (validated && !transactional));
                if (what != null) {
                    found.add(what);
                }
            }
        }
        return found;
    }

    private static String blocking(List<Token> a, String column, boolean provedNotNull) {
        if (a.isEmpty()) {
            return null;
        }
        if (a.get(0).is("alter") && has(a, "set", "not", "null")) {
            int i = a.size() > 1 && a.get(1).is("column") ? 2 : 1;
            boolean ours = i < a.size() && a.get(i).name().equals(column);
            return ours && !provedNotNull ? "ALTER COLUMN " + column + " SET NOT NULL (reads every row under ACCESS EXCLUSIVE)"
                    : null;
        }
        if (!a.get(0).is("add") || has(a, "not", "valid")) {
            return null;
        }
        if (has(a, "foreign", "key") || contains(a, "references") && has(a, "constraint")) {
            return "ADD FOREIGN KEY without NOT VALID (validates every row under SHARE ROW EXCLUSIVE, writers wait)";
        }
        if (a.size() > 1 && a.get(1).is("check") || has(a, "constraint") && contains(a, "check")) {
            return "ADD CHECK without NOT VALID (validates every row under ACCESS EXCLUSIVE)";
        }
        if (a.size() > 4 && a.get(1).is("constraint") && a.get(3).is("not") && a.get(4).is("null")) {
            return "ADD CONSTRAINT ... NOT NULL without NOT VALID (validates every row under ACCESS EXCLUSIVE)";
        }
        return null;
    }

    /** The actions of {@code ALTER TABLE [IF EXISTS] [ONLY] <the table> [*] ...}, else null. */
    private static List<Token> actionsOn(List<Token> s, String schema, String table) {
        int i = 0;
        if (s.size() < 4 || !s.get(0).is("alter") || !s.get(1).is("table")) {
            return null;
        }
        i = 2;
        if (s.get(i).is("if") && s.get(i + 1).is("exists")) {
            i += 2;
        }
        if (i < s.size() && s.get(i).is("only")) {
            i++;
        }
        int end = i + 1;
        while (end + 1 < s.size() && s.get(end).is(".") && s.get(end + 1).identifier()) {
            end += 2;
        }
        if (end > s.size() || !DropStatements.isTable(s.subList(i, end), schema, table)) {
            return null;
        }
        if (end < s.size() && s.get(end).is("*")) {
            end++;
        }
        return s.subList(end, s.size());
    }

    private static List<List<Token>> statements(List<Token> tokens) {
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

    private static boolean contains(List<Token> a, String word) {
        return a.stream().anyMatch(t -> t.is(word));
    }

    /** Whether the words follow one another somewhere in the action. */
    private static boolean has(List<Token> a, String... words) {
        for (int i = 0; i + words.length <= a.size(); i++) {
            int k = 0;
            while (k < words.length && a.get(i + k).is(words[k])) {
                k++;
            }
            if (k == words.length) {
                return true;
            }
        }
        return false;
    }
}
