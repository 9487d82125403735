package dev.cutover.flyway.javamigrationshort;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.flyway.NotNullCutoverMigration;
import java.time.Duration;

/** The runbook's V17 with a deadline of 2 s, for a test that makes it run out. */
public class V17__user_org_not_null extends NotNullCutoverMigration {

    @Override
    protected NotNullCutover cutover() {
        return NotNullCutover.builder("user", "organization_id")
                .references("organizations", "id")
                .onDelete(ReferentialAction.RESTRICT)
                .foreignKey("user_organization_id_organizations_id_fk")
                .build();
    }

    @Override
    protected NotNullMigration.Builder configure(NotNullMigration.Builder migration) {
        return migration.deadline(Duration.ofSeconds(2));
    }
}
