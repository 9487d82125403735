package dev.cutover.examples.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.runbook.RunbookSchema;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SignupFlowsTest {

    static ScratchDatabase db;

    @BeforeAll
    static void schema() {
        db = PostgresServers.shared().createDatabase();
        db.execute(RunbookSchema.DDL);
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    @Test
    void runbookCutoverDescribesTheRunbooksColumn() {
        assertThat(Runbook.cutover()).hasToString("NotNullCutover[public.\"user\".organization_id, "
                + "references public.organizations(id) ON DELETE RESTRICT, foreignKey=user_organization_id_organizations_id_fk]");
    }

    @Test
    void signupsWithTheHookAssignTheOrganization() {
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
    void signupsWithoutTheHookLeaveTheOrganizationNull() throws SQLException {
        Signup created = SignupFlows.withoutAssignmentHook(db.dataSource()).createOrganization("Globex", "gil@globex.test");
        Signup joined = SignupFlows.withoutAssignmentHook(db.dataSource()).joinOrganization("hank@globex.test");

        assertThat(created.assigned()).isFalse();
        assertThat(joined.assignedOrganizationId()).isEqualTo(Optional.empty());
        assertThat(organizationIdOf(joined.userId())).isNull();
        assertThat(joined).hasToString("join signup of hank@globex.test: user " + joined.userId() + ", organization "
                + joined.organizationId() + " (NOT assigned: organization_id is NULL)");
    }

    @Test
    void signupMisuseSaysWhichFlowToUse() {
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

    private static Long organizationIdOf(long userId) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select organization_id from \"user\" where id = " + userId)) {
            rs.next();
            return rs.getObject(1, Long.class);
        }
    }
}
