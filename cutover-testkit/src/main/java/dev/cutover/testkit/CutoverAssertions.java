package dev.cutover.testkit;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.preflight.PreflightReport;
import dev.cutover.core.verify.VerificationReport;

/**
 * The one entry point for cutover's AssertJ assertions. Static-import it next to AssertJ's
 * {@code Assertions.assertThat}; the overloads do not clash.
 *
 * <pre>{@code
 * import static dev.cutover.testkit.CutoverAssertions.assertThat;
 *
 * assertThat(db).column("user", "organization_id").isNotNullable().hasValidatedNotNull();
 * assertThat(db).foreignKey("user_organization_id_organizations_id_fk")
 *     .references("organizations", "id")
 *     .hasOnDelete(ReferentialAction.RESTRICT)
 *     .isValidated();
 * assertThat(db.cutoverDatabase().verify(cutover)).hasPassed();
 * assertThat(preflight.run(db.cutoverDatabase())).hasPassed();
 * assertThatMigration(flyway).isBlockedByNulls(cutover).withNullCount(3);
 * }</pre>
 */
public final class CutoverAssertions {

    private CutoverAssertions() {
    }

    /** Assertions on the catalog of a test database. */
    public static DatabaseAssert assertThat(TestDatabase actual) {
        return new DatabaseAssert(actual == null ? null : actual.cutoverDatabase());
    }

    /** Assertions on the catalog of any PostgreSQL database. */
    public static DatabaseAssert assertThat(CutoverDatabase actual) {
        return new DatabaseAssert(actual);
    }

    /**
     * Assertions on running a Flyway migration guarded by {@code CutoverCallback} (needs
     * {@code cutover-flyway} and Flyway on the test classpath). The migration runs at the first assertion.
     */
    public static MigrationAssert assertThatMigration(org.flywaydb.core.Flyway flyway) {
        return new MigrationAssert(flyway);
    }

    /** Assertions on a Stage B preflight report. */
    public static PreflightReportAssert assertThat(PreflightReport actual) {
        return new PreflightReportAssert(actual);
    }

    /** Assertions on a post-migration verification report. */
    public static VerificationReportAssert assertThat(VerificationReport actual) {
        return new VerificationReportAssert(actual);
    }
}
