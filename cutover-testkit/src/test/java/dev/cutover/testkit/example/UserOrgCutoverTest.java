package dev.cutover.testkit.example;

import static dev.cutover.testkit.CutoverAssertions.assertThat;
import static dev.cutover.testkit.CutoverAssertions.assertThatMigration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.examples.runbook.Signup;
import dev.cutover.examples.runbook.SignupFlows;
import dev.cutover.flyway.CutoverCallback;
import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * How a service proves its cutover of {@code "user".organization_id} in its own test suite:
 * the migration ({@code db/example/V2__user_org_not_null.sql}), guarded by the cutover
 * callback, is refused while users without an organization remain; after remediation it runs, and the post-migration
 * verification holds. This class is what the README shows.
 */
// tag::user-org-cutover-test[]
@CutoverTest(flywayLocations = "classpath:db/example")
class UserOrgCutoverTest {

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .references("organizations", "id")
            .onDelete(ReferentialAction.RESTRICT)
            .foreignKey("user_organization_id_organizations_id_fk")
            .build();

    @Test
    void migrationWaitsForRemediationThenVerificationHolds(TestDatabase db) {
        // The schema as production has it today (V1), and users as production has them:
        db.flyway().target("1").load().migrate();
        Signup ann = SignupFlows.withAssignmentHook(db.dataSource()).createOrganization("Acme", "ann@acme.test");
        Signup bob = SignupFlows.withoutAssignmentHook(db.dataSource()).joinOrganization("bob@acme.test");
        db.fixtures().insertNullRows(CUTOVER, 40, Map.of("email", "legacy-{n}@acme.test"));
        assertThat(bob.assigned()).isFalse();
        assertThat(db.cutoverDatabase().probe(CUTOVER).count()).isEqualTo(41);

        // While NULLs remain, the cutover callback refuses the migration, and nothing of it stays behind.
        Flyway guarded = db.flyway().callbacks(CutoverCallback.forMigration("2", CUTOVER).build()).load();
        assertThatMigration(guarded).isBlockedByNulls(CUTOVER).withNullCount(41);
        assertThat(db).column("user", "organization_id").isNullable();
        assertThat(db.cutoverDatabase().verify(CUTOVER)).hasFailed().hasFailedCheck("column NOT NULL");

        // Remediation: every user joins the organization that owns their email's domain.
        db.execute("""
                update "user" u set organization_id = o.id
                from organizations o
                where u.organization_id is null and o.domain = split_part(u.email, '@', 2)
                """);
        assertThat(db.cutoverDatabase().probe(CUTOVER).count()).isZero();

        // Now the migration runs (the callback verifies it), and the post-migration verification holds.
        assertThatMigration(guarded).succeeds();
        assertThat(db).column("user", "organization_id").isNotNullable().hasValidatedNotNull();
        assertThat(db).foreignKey("user_organization_id_organizations_id_fk")
                .references("organizations", "id")
                .hasOnDelete(ReferentialAction.RESTRICT)
                .isValidated();
        assertThat(db.cutoverDatabase().verify(CUTOVER)).hasPassed();

        // Smoke checks: signups with the assignment hook work; a signup without it is refused.
        assertThat(SignupFlows.withAssignmentHook(db.dataSource()).joinOrganization("carol@acme.test").assigned()).isTrue();
        assertThatThrownBy(() -> SignupFlows.withoutAssignmentHook(db.dataSource()).joinOrganization("dave@acme.test"))
                .hasMessageContaining("23502");
        assertThat(ann.organizationId()).isEqualTo(bob.organizationId());
    }
}
// end::user-org-cutover-test[]
