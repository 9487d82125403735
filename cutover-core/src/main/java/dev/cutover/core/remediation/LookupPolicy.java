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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code RemediationPolicies.lookup(sql)}: runs on the connection of the batch that asks, in
 * that batch's transaction, through {@link Scope}.
 */
final class LookupPolicy implements RemediationPolicy {

    static final String NO_MATCH = "no match";
    static final String AMBIGUOUS = "ambiguous: 2 or more rows";
    static final String NULL_VALUE = "lookup returned NULL";

    private static final ThreadLocal<Scope> SCOPE = new ThreadLocal<>();

    private final NamedSql sql;

    LookupPolicy(NamedSql sql) {
        this.sql = sql;
    }

    public NamedSql sql() {
        return sql;
    }

    /** The batch's connection and a cache of answers, bound to the thread while the batch decides. */
    static final class Scope implements AutoCloseable {
        private final Connection connection;
        private final Map<List<Object>, RemediationDecision> cache = new HashMap<>();

        private Scope(Connection connection) {
            this.connection = connection;
        }

        static Scope open(Connection connection) {
            Scope scope = new Scope(connection);
            SCOPE.set(scope);
            return scope;
        }

        @Override
        public void close() {
            SCOPE.remove();
        }
    }

    /** A lookup query failed; carries the query for the message. */
    static final class LookupFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String sql;

        LookupFailedException(String sql, SQLException cause) {
            super(cause.getMessage(), cause);
            this.sql = sql;
        }

        /**
         * The same failure with the given values masked in its message. The server's message may
         * quote a bound value ("invalid input syntax ... \"jane@example.com\""); the original
         * exception, which would show it in a stack trace, is left out.
         */
        LookupFailedException masking(Collection<String> sensitiveValues) {
            String message = getMessage() == null ? "" : getMessage();
            String masked = message;
            for (String value : sensitiveValues) {
                if (!value.isEmpty()) {
                    masked = masked.replace(value, Masking.mask(value));
                }
            }
            if (masked.equals(message)) {
                return this;
            }
            return new LookupFailedException(sql, new SQLException(masked, Sql.sqlState(this)));
        }

        /**
         * The same failure with only the first line of the server's message, the row's sensitive
         * values masked and any other quoted word that is not a name the cutover or the query uses
         * left out; the original exception, whose message and detail may quote the row, is dropped.
         */
        LookupFailedException redacted(Collection<String> sensitiveValues, dev.cutover.core.NotNullCutover cutover) {
            String words = Redaction.serverWords(this, sensitiveValues, Redaction.knownWords(cutover, sql));
            return new LookupFailedException(sql, new SQLException(words, Sql.sqlState(this)));
        }

        String sql() {
            return sql;
        }
    }

    @Override
    public RemediationDecision decide(RemediationRow row) {
        Scope scope = SCOPE.get();
        if (scope == null) {
            throw new IllegalStateException("RemediationPolicies.lookup(...) runs inside Remediation.run(), on the batch's "
                    + "own transaction; it cannot decide on its own");
        }
        List<Object> args = new ArrayList<>(sql.parameters().size() + 1);
        args.add(sql.sql());
        for (String p : sql.parameters()) {
            args.add(row.value(p));
        }
        RemediationDecision known = scope.cache.get(args);
        if (known != null) {
            return known;
        }
        RemediationDecision decision = query(scope.connection, args.subList(1, args.size()));
        scope.cache.put(args, decision);
        return decision;
    }

    private RemediationDecision query(Connection connection, List<Object> values) {
        try (PreparedStatement statement = connection.prepareStatement(sql.jdbcSql())) {
            statement.setMaxRows(2);
            for (int i = 0; i < values.size(); i++) {
                statement.setObject(i + 1, values.get(i));
            }
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return RemediationDecision.skip(NO_MATCH);
                }
                String value = rs.getString(1);
                if (rs.next()) {
                    return RemediationDecision.skip(AMBIGUOUS);
                }
                return value == null ? RemediationDecision.skip(NULL_VALUE) : RemediationDecision.assign(value);
            }
        } catch (SQLException e) {
            throw new LookupFailedException(sql.sql(), e);
        }
    }

    @Override
    public String toString() {
        return "lookup(" + sql.sql() + ")";
    }
}
