package dev.cutover.core.remediation;

import java.util.List;

/**
 * The built-in policies. All are deterministic: the same row gets the same decision.
 *
 * <pre>{@code
 * RemediationPolicy policy = RemediationPolicies.firstOf(
 *     RemediationPolicies.lookup("select id from organizations where domain = split_part(:email, '@', 2)"),
 *     RemediationPolicies.constant(defaultOrganizationId));
 * }</pre>
 */
public final class RemediationPolicies {

    private RemediationPolicies() {
    }

    /**
     * Assigns the same value to every row. The value is checked against the column's type on
     * the server before any row is changed.
     *
     * @param value not {@code null}
     */
    public static RemediationPolicy constant(Object value) {
        return PolicyTree.constant(value);
    }

    /**
     * Assigns the first column of the one row a query returns. Named parameters
     * ({@code :email}) are bound from the row's key and inspect columns, as bind values. The
     * query runs in the batch's own short transaction, after the batch's rows were read with
     * {@code FOR NO KEY UPDATE} and before its UPDATE: the row values it is given cannot change
     * until the batch commits, so the value is decided on what the UPDATE writes against. The
     * tables the query reads are read as they are committed at that moment (READ COMMITTED);
     * they are not locked. No row: skip with reason
     * {@code "no match"}; two or more rows: skip with {@code "ambiguous: 2 or more rows"}; a
     * NULL value: skip with {@code "lookup returned NULL"}. Results are cached within a batch.
     *
     * <p>The query must be deterministic too: read tables, not {@code now()} or {@code random()}.
     *
     * @param sql a query; parameter names must be key or inspect columns of the cutover
     */
    public static RemediationPolicy lookup(String sql) {
        return PolicyTree.lookup(sql);
    }

    /**
     * A value computed by PostgreSQL for each NULL row, inside the batch's own statement: the
     * query is a scalar subquery over the row being fixed, which it sees as {@code u} (the
     * table aliased {@code u}; every column of the row can be used). The batch reads its rows
     * with {@code FOR NO KEY UPDATE} and evaluates the query in the same statement as its UPDATE,
     * so the value is decided on the row the UPDATE writes, with no round trip per row. A row for
     * which the query gives no row or NULL is skipped with reason
     * {@code "the SQL policy gave NULL (no row, or a NULL value)"}; two or more rows fail the
     * batch (use {@code limit 1} or an aggregate). The value must be of the column's type, or
     * assignable to it.
     *
     * <pre>{@code
     * RemediationPolicies.sql("select o.id from organizations o where o.domain = split_part(u.email, '@', 2)")
     * }</pre>
     *
     * <p>It is the whole policy (it may be {@linkplain #named named}); a fallback goes into its
     * SQL ({@code coalesce((select ...), 42)}), not into {@link #firstOf}. The query is SQL text
     * the developer writes, checked on the server by {@code Remediation.Builder#build()}; it
     * takes no bind parameters, so it must not contain {@code ?} (for jsonb's {@code ?}
     * operators use {@code jsonb_exists(...)}). It must be deterministic like every policy.
     *
     * @param query a scalar query over {@code u}
     */
    public static RemediationPolicy sql(String query) {
        return PolicyTree.sql(query);
    }

    /** The first policy that assigns a value wins; when none does, the row is skipped with every reason given. */
    public static RemediationPolicy firstOf(RemediationPolicy... policies) {
        return PolicyTree.firstOf(List.of(policies));
    }

    /** Gives a policy (a lambda, say) the name the journal and the report show for it. */
    public static RemediationPolicy named(String name, RemediationPolicy policy) {
        return PolicyTree.named(name, policy);
    }
}
