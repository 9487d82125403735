package dev.cutover.examples.boot;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.flyway.CutoverCallback;
import org.flywaydb.core.api.callback.Callback;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The runbook's cutover as Spring beans. Spring Boot adds every {@link Callback} bean to the
 * Flyway it runs at start-up, so migration 17 is refused while NULL {@code organization_id}
 * rows remain, and verified after it ran.
 *
 * <pre>{@code
 * @Bean
 * Callback cutoverCallback(NotNullCutover userOrganizationCutover) {
 *     return CutoverCallback.forMigration("17", userOrganizationCutover).build().portable();
 * }
 * }</pre>
 */
@Configuration(proxyBeanMethods = false)
public class CutoverConfiguration {

    /** {@code "user".organization_id} becomes NOT NULL, referencing {@code organizations(id)} ON DELETE RESTRICT. */
    @Bean
    public NotNullCutover userOrganizationCutover() {
        return NotNullCutover.builder("user", "organization_id")
                .references("organizations", "id")
                .onDelete(ReferentialAction.RESTRICT)
                .foreignKey("user_organization_id_organizations_id_fk")
                .inspect("id", "email", "created_at")
                .newestFirstBy("created_at")
                .sensitive("email")
                .build();
    }

    /**
     * Blocks migration 17 while NULLs remain and verifies the column after it. {@code portable()}
     * gives Spring a class it can inspect on every Flyway line: Spring Boot 3.5's Flyway 11.7
     * lacks a type that {@code CutoverCallback}'s own class mentions.
     */
    @Bean
    public Callback cutoverCallback(NotNullCutover userOrganizationCutover) {
        return CutoverCallback.forMigration("17", userOrganizationCutover).build().portable();
    }
}
