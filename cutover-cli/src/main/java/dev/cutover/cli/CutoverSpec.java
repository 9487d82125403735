package dev.cutover.cli;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.remediation.RemediationPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One configured cutover as read from {@code cutover.cutovers[N]} and the flags, before it is
 * built for a schema. {@code prefix} is the configuration key it came from, for messages.
 * {@code maxReplicaLag} is {@link Duration#ZERO} when the configuration turns the replica-lag
 * throttle off, empty when it does not say.
 */
record CutoverSpec(String prefix, String table, String column, String schema, List<String> key, Optional<String> migration,
                   Optional<String> refSchema, Optional<String> refTable, Optional<String> refColumn, Optional<String> onDelete,
                   Optional<String> foreignKey, List<String> inspect, Optional<String> newestFirstBy, List<String> sensitive,
                   long baseline, Optional<String> reconciliationSql, List<Policy> policies, Optional<Integer> batchSize,
                   Optional<Integer> maxRowsPerSecond, Optional<Duration> maxReplicaLag, PreflightSpec preflight) {

    /** A remediation policy from configuration: {@code constant}, {@code lookup} or {@code sql}. */
    record Policy(String key, String kind, String value) {
    }

    CutoverSpec {
        key = List.copyOf(key);
        inspect = List.copyOf(inspect);
        sensitive = List.copyOf(sensitive);
        policies = List.copyOf(policies);
    }

    /** The cutover in its configured schema. */
    NotNullCutover build() {
        return build(schema);
    }

    /**
     * The cutover in the given schema (a fleet's tenant schema); a referenced table without its own
     * schema is looked up in the same schema.
     */
    NotNullCutover build(String inSchema) {
        try {
            NotNullCutover.Builder b = NotNullCutover.builder(table, column).schema(inSchema);
            if (!key.isEmpty()) {
                b.key(key.toArray(String[]::new));
            }
            if (refTable.isPresent()) {
                b.references(refSchema.orElse(null), refTable.get(), refColumn.orElseThrow());
            }
            onDelete.ifPresent(v -> b.onDelete(action(v)));
            foreignKey.ifPresent(b::foreignKey);
            if (!inspect.isEmpty()) {
                b.inspect(inspect.toArray(String[]::new));
            }
            newestFirstBy.ifPresent(b::newestFirstBy);
            if (!sensitive.isEmpty()) {
                b.sensitive(sensitive.toArray(String[]::new));
            }
            return b.build();
        } catch (CutoverConfigurationException | IllegalArgumentException e) {
            throw CliException.usage(prefix + ": " + e.getMessage());
        }
    }

    /** The policy the configuration gives; several are tried in order (first-of). */
    RemediationPolicy policy() {
        if (policies.isEmpty()) {
            throw CliException.usage(prefix + ".remediation.policies is missing: say how NULL rows get their value, e.g. "
                    + prefix + ".remediation.policies[0].constant=42 or ...policies[0].lookup=select id from ... where ...");
        }
        List<RemediationPolicy> built = new ArrayList<>();
        for (Policy p : policies) {
            try {
                RemediationPolicy one = switch (p.kind()) {
                    case "constant" -> RemediationPolicies.constant(p.value());
                    // A set-based SQL policy is evaluated per row through lookup until core has one of its own.
                    case "lookup", "sql" -> RemediationPolicies.lookup(p.value());
                    default -> throw CliException.usage(p.key() + " is not a policy: use constant, lookup or sql");
                };
                built.add(one);
            } catch (CutoverConfigurationException | IllegalArgumentException e) {
                throw CliException.usage(p.key() + ": " + e.getMessage());
            }
        }
        return built.size() == 1 ? built.get(0) : RemediationPolicies.firstOf(built.toArray(RemediationPolicy[]::new));
    }

    static ReferentialAction action(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT).replace('_', ' ').replace('-', ' ');
        for (ReferentialAction a : ReferentialAction.values()) {
            if (a.sql().equals(v) || a.name().equals(v.replace(' ', '_'))) {
                return a;
            }
        }
        throw new CutoverConfigurationException("on-delete must be one of RESTRICT, NO ACTION, CASCADE, SET NULL, SET DEFAULT, "
                + "but was \"" + value + "\"");
    }
}
