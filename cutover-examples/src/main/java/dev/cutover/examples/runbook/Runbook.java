package dev.cutover.examples.runbook;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;

/**
 * The cutover the runbook is about, on the tables of
 * {@link dev.cutover.runbook.RunbookSchema#DDL RunbookSchema.DDL}.
 *
 * <pre>{@code
 * db.execute(RunbookSchema.DDL);                                   // organizations, "user"
 * fixtures.insertNullRows(Runbook.cutover(), 42, Map.of("email", "user-{n}@example.com"));
 * db.cutoverDatabase().probe(Runbook.cutover()).count();           // 42
 * }</pre>
 */
public final class Runbook {

    private Runbook() {
    }

    /**
     * The runbook's cutover: {@code public."user".organization_id} becomes NOT NULL and
     * references {@code organizations(id) ON DELETE RESTRICT} through
     * {@code user_organization_id_organizations_id_fk}; rows are inspected by id, email and
     * created_at, newest first, with the email masked.
     */
    public static NotNullCutover cutover() {
        return NotNullCutover.builder("user", "organization_id")
                .references("organizations", "id")
                .onDelete(ReferentialAction.RESTRICT)
                .foreignKey("user_organization_id_organizations_id_fk")
                .inspect("id", "email", "created_at")
                .newestFirstBy("created_at")
                .sensitive("email")
                .build();
    }
}
