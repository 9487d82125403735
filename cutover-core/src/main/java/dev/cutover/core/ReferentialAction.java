package dev.cutover.core;

/** What a foreign key does when the referenced row is deleted ({@code ON DELETE ...}). */
public enum ReferentialAction {
    NO_ACTION('a', "NO ACTION"),
    RESTRICT('r', "RESTRICT"),
    CASCADE('c', "CASCADE"),
    SET_NULL('n', "SET NULL"),
    SET_DEFAULT('d', "SET DEFAULT");

    private final char code;
    private final String sql;

    ReferentialAction(char code, String sql) {
        this.code = code;
        this.sql = sql;
    }

    /** The SQL words, e.g. {@code SET NULL}. */
    public String sql() {
        return sql;
    }

    /** The action for {@code pg_constraint.confdeltype}'s one-letter code. */
    public static ReferentialAction fromCatalogCode(char code) {
        for (ReferentialAction action : values()) {
            if (action.code == code) {
                return action;
            }
        }
        throw new IllegalArgumentException("Unknown pg_constraint action code '" + code + "'");
    }

    @Override
    public String toString() {
        return sql;
    }
}
