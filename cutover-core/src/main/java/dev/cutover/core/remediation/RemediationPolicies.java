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

    /** The first policy that assigns a value wins; when none does, the row is skipped with every reason given. */
    public static RemediationPolicy firstOf(RemediationPolicy... policies) {
        return PolicyTree.firstOf(List.of(policies));
    }

    /** Gives a policy (a lambda, say) the name the journal and the report show for it. */
    public static RemediationPolicy named(String name, RemediationPolicy policy) {
        return PolicyTree.named(name, policy);
    }
}
