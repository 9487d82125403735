package dev.cutover.examples.runbook;

import java.util.Objects;
import java.util.Optional;

/**
 * What a simulated signup did.
 *
 * @param flow                   {@code create} or {@code join}
 * @param email                  the new user's email
 * @param userId                 the new row's {@code "user".id}
 * @param organizationId         the organization created or joined
 * @param assignedOrganizationId the new row's {@code organization_id} as stored: empty when
 *                               the signup ran without the assignment hook
 */
public record Signup(String flow, String email, long userId, long organizationId, Optional<Long> assignedOrganizationId) {

    public Signup {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(assignedOrganizationId, "assignedOrganizationId");
    }

    /** Whether the new user got the organization: the smoke check of the runbook's Stage B. */
    public boolean assigned() {
        return assignedOrganizationId.isPresent() && assignedOrganizationId.get() == organizationId;
    }

    @Override
    public String toString() {
        return flow + " signup of " + email + ": user " + userId + ", organization " + organizationId
                + (assigned() ? " (assigned)" : " (NOT assigned: organization_id is " + assignedOrganizationId.map(String::valueOf)
                .orElse("NULL") + ")");
    }
}
