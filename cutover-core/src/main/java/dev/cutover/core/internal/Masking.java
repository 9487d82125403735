package dev.cutover.core.internal;

/** Masks sensitive values: {@code jane@example.com} becomes {@code j***@example.com}. */
public final class Masking {

    private Masking() {
    }

    /** The masked form of a value; {@code null} stays {@code null}. */
    public static String mask(Object value) {
        if (value == null) {
            return null;
        }
        String s = value.toString();
        if (s.isEmpty()) {
            return "***";
        }
        String first = new String(Character.toChars(s.codePointAt(0)));
        int at = s.lastIndexOf('@');
        if (at > 0) {
            return first + "***" + s.substring(at);
        }
        return s.codePointCount(0, s.length()) <= 1 ? "***" : first + "***";
    }
}
