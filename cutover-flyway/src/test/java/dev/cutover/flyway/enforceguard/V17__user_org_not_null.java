package dev.cutover.flyway.enforceguard;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.flyway.NotNullCutoverMigration;

/** The finishing migration of the runbook's cutover: VALIDATE the enforce phase's constraint, then NOT NULL. */
public class V17__user_org_not_null extends NotNullCutoverMigration {

    @Override
    protected NotNullCutover cutover() {
        return NotNullCutover.builder("user", "organization_id")
                .references("organizations", "id")
                .onDelete(ReferentialAction.RESTRICT)
                .foreignKey("user_organization_id_organizations_id_fk")
                .build();
    }
}
