package dev.cutover.examples.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.runbook.RunbookSchema;
import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@CutoverTest
class SignupFlowsTest {

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute(RunbookSchema.DDL);
    }

    @Test
    void runbookCutoverDescribesTheRunbooksColumn() {
        assertThat(Runbook.cutover()).hasToString("NotNullCutover[public.\"user\".organization_id, "
                + "references public.organizations(id) ON DELETE RESTRICT, foreignKey=user_organization_id_organizations_id_fk]");
    }

    @Test
    void signupsWithTheHookAssignTheOrganization(TestDatabase db) {
        SignupFlows signups = SignupFlows.withAssignmentHook(db.dataSource());

        Signup created = signups.createOrganization("Acme", "ann@acme.test");
        Signup joined = signups.joinOrganization("bob@ACME.test");

        assertThat(created.assigned()).isTrue();
        assertThat(joined.assigned()).isTrue();
        assertThat(joined.organizationId()).isEqualTo(created.organizationId());
        assertThat(joined.assignedOrganizationId()).contains(created.organizationId());
        assertThat(joined.flow()).isEqualTo("join");
        assertThat(created).hasToString("create signup of ann@acme.test: user " + created.userId() + ", organization "
                + created.organizationId() + " (assigned)");
    }

    @Test
    void signupsWithoutTheHookLeaveTheOrganizationNull(TestDatabase db) {
        Signup created = SignupFlows.withoutAssignmentHook(db.dataSource()).createOrganization("Globex", "gil@globex.test");
        Signup joined = SignupFlows.withoutAssignmentHook(db.dataSource()).joinOrganization("hank@globex.test");

        assertThat(created.assigned()).isFalse();
        assertThat(joined.assignedOrganizationId()).isEqualTo(Optional.empty());
        assertThat(db.queryForString("select organization_id from \"user\" where id = " + joined.userId())).isNull();
        assertThat(joined).hasToString("join signup of hank@globex.test: user " + joined.userId() + ", organization "
                + joined.organizationId() + " (NOT assigned: organization_id is NULL)");
    }

    @Test
    void signupMisuseSaysWhichFlowToUse(TestDatabase db) {
        SignupFlows signups = SignupFlows.withAssignmentHook(db.dataSource());
        signups.createOrganization("Initech", "pete@initech.test");

        assertThatThrownBy(() -> signups.createOrganization("Initech 2", "bill@initech.test"))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("An organization already owns the domain initech.test: sign bill@initech.test up with joinOrganization(email)");
        assertThatThrownBy(() -> signups.joinOrganization("x@nowhere.test"))
                .hasMessage("No organization owns the domain nowhere.test: sign the first user up with createOrganization(name, email)");
        assertThatThrownBy(() -> signups.joinOrganization("no-at-sign"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("email must look like name@domain, but was 'no-at-sign'");
    }
}
