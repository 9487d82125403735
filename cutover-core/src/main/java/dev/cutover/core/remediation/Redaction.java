package dev.cutover.core.remediation;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.Masking;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server words made safe to show when a cutover has sensitive columns: only the first line of
 * the server's message (its DETAIL, such as {@code Failing row contains (...)}, is left out),
 * sensitive values masked, and every other double-quoted word that is not a name the cutover or
 * its SQL uses replaced by {@code ***}, so that a value derived from a sensitive one (a part of
 * an email, a value upper-cased) does not get through either.
 */
final class Redaction {

    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern WORD = Pattern.compile("[\\p{L}_][\\p{L}\\p{N}_$]*");

    private Redaction() {
    }

    /** The names a message may quote: the cutover's schema, table and columns, and the words of {@code sql}. */
    static Set<String> knownWords(NotNullCutover cutover, String sql) {
        Set<String> known = new HashSet<>();
        known.add(cutover.schema());
        known.add(cutover.table());
        known.add(cutover.column());
        known.addAll(cutover.key());
        known.addAll(cutover.inspect());
        known.addAll(cutover.sensitive());
        Matcher m = WORD.matcher(sql == null ? "" : sql);
        while (m.find()) {
            known.add(m.group());
        }
        return known;
    }

    /** The first line of the server's message in {@code e}, redacted as described above. */
    static String serverWords(Throwable e, Collection<String> sensitiveValues, Set<String> known) {
        Throwable deepest = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                deepest = t;
            }
        }
        String message = deepest.getMessage() == null ? deepest.getClass().getSimpleName() : deepest.getMessage();
        return redact(firstLine(message), sensitiveValues, known);
    }

    static String firstLine(String s) {
        String m = s.startsWith("ERROR: ") ? s.substring(7) : s;
        int nl = m.indexOf('\n');
        m = nl < 0 ? m.strip() : m.substring(0, nl).strip();
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }

    static String redact(String line, Collection<String> sensitiveValues, Set<String> known) {
        List<String> values = new ArrayList<>(sensitiveValues);
        values.removeIf(String::isEmpty);
        values.sort(Comparator.comparingInt(String::length).reversed());
        Set<String> masked = new HashSet<>();
        String out = line;
        for (String v : values) {
            String m = Masking.mask(v);
            masked.add(m);
            out = out.replace(v, m);
        }
        Matcher q = QUOTED.matcher(out);
        StringBuilder b = new StringBuilder();
        while (q.find()) {
            String word = q.group(1);
            String keep = known.contains(word) || masked.contains(word) ? q.group() : "\"***\"";
            q.appendReplacement(b, Matcher.quoteReplacement(keep));
        }
        q.appendTail(b);
        return b.toString();
    }
}
