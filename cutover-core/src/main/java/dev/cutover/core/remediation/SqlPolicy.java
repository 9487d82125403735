package dev.cutover.core.remediation;

import java.util.Objects;

/**
 * {@code RemediationPolicies.sql(query)}: a scalar query evaluated by PostgreSQL for each NULL
 * row inside the batch's own statement, over the row aliased {@code u}; never called in Java.
 *
 * @param query the query, as the developer wrote it
 */
record SqlPolicy(String query) implements RemediationPolicy {

    /** Why a row is skipped when the query gives it no value. */
    static final String NULL_REASON = "the SQL policy gave NULL (no row, or a NULL value)";

    SqlPolicy {
        Objects.requireNonNull(query, "query");
        if (query.isBlank()) {
            throw new IllegalArgumentException("query must not be blank");
        }
    }

    @Override
    public RemediationDecision decide(RemediationRow row) {
        throw new IllegalStateException("RemediationPolicies.sql(...) is evaluated by PostgreSQL inside the batch's UPDATE; "
                + "it cannot decide on a row in Java, nor inside firstOf(...): put the fallback into its SQL (coalesce(...))");
    }

    @Override
    public String toString() {
        return "sql(" + query + ")";
    }
}
