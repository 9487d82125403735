package dev.cutover.core.remediation;

/**
 * Decides what a row whose column is NULL should hold: {@link RemediationDecision#assign
 * assign} a value, or {@link RemediationDecision#skip skip} it with a reason. Any lambda is a
 * policy; {@link RemediationPolicies} has the built-ins.
 *
 * <pre>{@code
 * RemediationPolicy byDomain = row -> row.value("email").toString().endsWith("@acme.test")
 *     ? RemediationDecision.assign(7L)
 *     : RemediationDecision.skip("not an acme.test address");
 * }</pre>
 *
 * <p>A policy must be <b>deterministic</b>: the same row gets the same decision every time
 * it is asked, so a batch that is retried after a lost connection or a lock timeout does what
 * the first attempt would have done, and a dry run shows what the real run will do. Use no
 * clock, no randomness, no counters; read only the row and, through
 * {@link RemediationPolicies#lookup(String)}, the database. The built-ins are deterministic.
 *
 * <p>The row carries the key and the cutover's {@code inspect} columns <em>unmasked</em>, so a
 * policy can use real values (an e-mail domain, say); reports, logs and messages mask the
 * cutover's {@code sensitive} columns.
 */
@FunctionalInterface
public interface RemediationPolicy {

    /**
     * The decision for one row.
     *
     * @param row the row's key and inspected values, unmasked
     * @return never {@code null}
     */
    RemediationDecision decide(RemediationRow row);
}
