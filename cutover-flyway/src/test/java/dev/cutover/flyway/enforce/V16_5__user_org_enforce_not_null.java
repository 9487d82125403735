package dev.cutover.flyway.enforce;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.flyway.EnforceNotNullMigration;

/** The enforce phase of the runbook's cutover, while NULL rows remain. */
public class V16_5__user_org_enforce_not_null extends EnforceNotNullMigration {

    @Override
    protected NotNullCutover cutover() {
        return NotNullCutover.builder("user", "organization_id")
                .references("organizations", "id")
                .onDelete(ReferentialAction.RESTRICT)
                .foreignKey("user_organization_id_organizations_id_fk")
                .build();
    }
}
