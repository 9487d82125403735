package dev.cutover.testkit.docs;

import static dev.cutover.testkit.CutoverAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fixtures and assertions of docs/testkit.md, on the runbook's tables ({@code classpath:db/example}). */
@CutoverTest(flywayLocations = "classpath:db/example")
class FixturesAndAssertionsTest {

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .references("organizations", "id")
            .onDelete(ReferentialAction.RESTRICT)
            .foreignKey("user_organization_id_organizations_id_fk")
            .build();

    @BeforeEach
    void theSchemaAsProductionHasItToday(TestDatabase db) {
        db.execute("drop schema public cascade; create schema public");
        db.flyway().target("1").load().migrate();
    }

    @Test
    void fixtures(TestDatabase db) {
        // tag::fixtures[]
        NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").build();
        db.fixtures().insertNullRows(cutover, 1_000, Map.of("email", "user-{n}@example.com"));  // your own table
        // end::fixtures[]
        assertThat(db.cutoverDatabase().probe(cutover).count()).isEqualTo(1_000);
        assertThat(db.queryForString("select email from \"user\" order by id desc limit 1")).isEqualTo("user-1000@example.com");
    }

    @Test
    void assertions(TestDatabase db) {
        // tag::assertions[]
        assertThat(db).column("user", "organization_id").isNullable();                  // before the migration
        assertThat(db.cutoverDatabase().verify(CUTOVER)).hasFailed().hasFailedCheck("column NOT NULL");

        db.flyway().load().migrate();                                                    // V2: NOT NULL and the foreign key, in short steps
        assertThat(db).column("user", "organization_id").isNotNullable().hasValidatedNotNull();
        assertThat(db).foreignKey("user_organization_id_organizations_id_fk")
                .references("organizations", "id").hasOnDelete(ReferentialAction.RESTRICT).isValidated();
        assertThat(db.cutoverDatabase().verify(CUTOVER)).hasPassed();
        // end::assertions[]
    }
}
