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

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The built-in remediation policies, and the evaluation that remembers which policy decided
 * (the journal names it). Kept here so the engine can look inside them: constants are
 * type-checked and lookup parameters checked before any row changes.
 */
final class PolicyTree {

    private PolicyTree() {
    }

    /** A decision and the name of the policy that made it. */
    public record Traced(RemediationDecision decision, String policy) {
    }

    public static RemediationPolicy constant(Object value) {
        Objects.requireNonNull(value, "value must not be null: a remediation assigns a value");
        RemediationDecision.Assign decision = RemediationDecision.assign(value);
        return new Constant(decision);
    }

    public static RemediationPolicy lookup(String sql) {
        return new LookupPolicy(NamedSql.parse(sql));
    }

    public static RemediationPolicy firstOf(List<RemediationPolicy> policies) {
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("firstOf needs at least one policy");
        }
        for (int i = 0; i < policies.size(); i++) {
            Objects.requireNonNull(policies.get(i), "policy " + (i + 1) + " of firstOf is null");
        }
        return new FirstOf(List.copyOf(policies));
    }

    public static RemediationPolicy named(String name, RemediationPolicy policy) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return new Named(name, policy);
    }

    /** Decides, and names the policy that decided (the inner one for {@code firstOf}). */
    public static Traced decide(RemediationPolicy policy, RemediationRow row) {
        if (policy instanceof Named named) {
            Traced inner = decide(named.policy(), row);
            return new Traced(inner.decision(), named.name());
        }
        if (policy instanceof FirstOf firstOf) {
            Set<String> reasons = new LinkedHashSet<>();
            for (RemediationPolicy p : firstOf.policies()) {
                Traced t = decide(p, row);
                if (t.decision() instanceof RemediationDecision.Assign) {
                    return t;
                }
                reasons.add(((RemediationDecision.Skip) t.decision()).reason());
            }
            return new Traced(RemediationDecision.skip(String.join("; ", reasons)), describe(policy));
        }
        RemediationDecision decision = policy.decide(row);
        if (decision == null) {
            throw new IllegalStateException("Policy " + describe(policy) + " returned null for " + row
                    + "; return RemediationDecision.assign(value) or RemediationDecision.skip(reason)");
        }
        return new Traced(decision, describe(policy));
    }

    /** The name shown in the journal and reports: the built-ins describe themselves, lambdas by their class. */
    public static String describe(RemediationPolicy policy) {
        if (policy instanceof Constant || policy instanceof LookupPolicy || policy instanceof FirstOf || policy instanceof Named
                || policy instanceof SqlPolicy) {
            return policy.toString();
        }
        String name = policy.getClass().getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda >= 0) {
            name = name.substring(0, lambda) + " lambda";
        }
        String simple = name.substring(name.lastIndexOf('.') + 1);
        String shown = policy.toString();
        return shown.startsWith(policy.getClass().getName() + "@") ? "policy " + simple : shown;
    }

    public static RemediationPolicy sql(String query) {
        return new SqlPolicy(query);
    }

    /** The SQL policy a policy comes down to, looking through names. */
    public static Optional<SqlPolicy> sqlOf(RemediationPolicy policy) {
        if (policy instanceof Named named) {
            return sqlOf(named.policy());
        }
        return policy instanceof SqlPolicy sql ? Optional.of(sql) : Optional.empty();
    }

    /** The constant a policy comes down to, looking through names: every row then gets the same value. */
    public static Optional<Constant> constantOf(RemediationPolicy policy) {
        if (policy instanceof Named named) {
            return constantOf(named.policy());
        }
        return policy instanceof Constant constant ? Optional.of(constant) : Optional.empty();
    }

    /** Visits every built-in inside a policy tree. */
    public static void visit(RemediationPolicy policy, Consumer<RemediationPolicy> visitor) {
        visitor.accept(policy);
        if (policy instanceof FirstOf firstOf) {
            firstOf.policies().forEach(p -> visit(p, visitor));
        } else if (policy instanceof Named named) {
            visit(named.policy(), visitor);
        }
    }

    /** A constant value for every row. */
    public record Constant(RemediationDecision.Assign decision) implements RemediationPolicy {
        @Override
        public RemediationDecision decide(RemediationRow row) {
            return decision;
        }

        public Object value() {
            return decision.value();
        }

        @Override
        public String toString() {
            return "constant(" + decision.value() + ")";
        }
    }

    /** The first assigning policy wins. */
    public record FirstOf(List<RemediationPolicy> policies) implements RemediationPolicy {
        @Override
        public RemediationDecision decide(RemediationRow row) {
            return PolicyTree.decide(this, row).decision();
        }

        @Override
        public String toString() {
            List<String> names = new ArrayList<>();
            policies.forEach(p -> names.add(describe(p)));
            return "firstOf(" + String.join(", ", names) + ")";
        }
    }

    /** A policy with a name for the journal. */
    public record Named(String name, RemediationPolicy policy) implements RemediationPolicy {
        @Override
        public RemediationDecision decide(RemediationRow row) {
            return PolicyTree.decide(policy, row).decision();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
