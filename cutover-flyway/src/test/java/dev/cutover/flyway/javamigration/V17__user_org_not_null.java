package dev.cutover.flyway.javamigration;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.flyway.NotNullCutoverMigration;

/** The runbook's V17 as the library's zero-downtime sequence. */
public class V17__user_org_not_null extends NotNullCutoverMigration {

    @Override
    protected NotNullCutover cutover() {
        return NotNullCutover.builder("user", "organization_id")
                .references("organizations", "id")
                .onDelete(ReferentialAction.RESTRICT)
                .foreignKey("user_organization_id_organizations_id_fk")
                .inspect("id", "email", "created_at")
                .sensitive("email")
                .build();
    }
}
