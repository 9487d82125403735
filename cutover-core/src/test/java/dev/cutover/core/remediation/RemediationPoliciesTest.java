package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RemediationPoliciesTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().cutoverDatabase());
    static CutoverDatabase db;

    static final RemediationRow ROW = new RemediationRow(Map.of("id", 7L), Map.of("id", 7L, "email", "ann@acme.test"));

    @Test
    void constantAssignsItsValueToEveryRow() {
        assertThat(RemediationPolicies.constant(42L).decide(ROW)).isEqualTo(RemediationDecision.assign(42L));
        assertThat(RemediationPolicies.constant(42L)).hasToString("constant(42)");
    }

    @Test
    void constantRefusesNull() {
        assertThatThrownBy(() -> RemediationPolicies.constant(null))
                .hasMessage("value must not be null: a remediation assigns a value");
    }

    @Test
    void firstOfTakesTheFirstAssignmentOrGivesEveryReason() {
        RemediationPolicy none = RemediationPolicies.firstOf(r -> RemediationDecision.skip("not staff"),
                r -> RemediationDecision.skip("no invite"));
        assertThat(none.decide(ROW)).isEqualTo(RemediationDecision.skip("not staff; no invite"));
        RemediationPolicy second = RemediationPolicies.firstOf(r -> RemediationDecision.skip("not staff"),
                RemediationPolicies.constant(1L), RemediationPolicies.constant(2L));
        assertThat(second.decide(ROW)).isEqualTo(RemediationDecision.assign(1L));
        assertThatThrownBy(RemediationPolicies::firstOf).hasMessage("firstOf needs at least one policy");
    }

    @Test
    void namedGivesAPolicyItsName() {
        assertThat(RemediationPolicies.named("staff to HQ", r -> RemediationDecision.assign(1L))).hasToString("staff to HQ");
    }

    @Test
    void lookupDecidesOnlyInsideARun() {
        RemediationPolicy lookup = RemediationPolicies.lookup("select id from organizations where domain = :email");
        assertThat(lookup).hasToString("lookup(select id from organizations where domain = :email)");
        assertThatThrownBy(() -> lookup.decide(ROW))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("RemediationPolicies.lookup(...) runs inside Remediation.run(), on the batch's own transaction; "
                        + "it cannot decide on its own");
    }

    @Test
    void lookupBindsNamedParametersButLeavesCastsLiteralsAndCommentsAlone() {
        database.execute("""
                insert into organizations (name, domain) values ('Acme', 'acme.test'), ('Colon', ':email');
                insert into "user" (email, organization_id) values ('ann@acme.test', null), ('bob@none.test', null);
                """);
        NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").inspect("id", "email").build();
        RemediationReport report = Remediation.builder(db, cutover)
                .policy(RemediationPolicies.lookup("""
                        select o.id::bigint -- :email in a comment
                        from organizations o
                        where o.domain = split_part(:email::text, '@', 2) and o.name <> ':email' and o.name <> $$:id$$;"""))
                .build().run();

        assertThat(report.assigned()).isEqualTo(1);
        assertThat(report.skippedByReason()).isEqualTo(Map.of("no match", 1L));
        assertThat(database.queryLong("select organization_id from \"user\" where email = 'ann@acme.test'")).isEqualTo(1);
    }
}
