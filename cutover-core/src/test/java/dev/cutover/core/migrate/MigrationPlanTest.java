package dev.cutover.core.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The plan as data and as a SQL script, on PostgreSQL 18 and 12. */
class MigrationPlanTest {

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .references("organizations", "id")
            .onDelete(ReferentialAction.RESTRICT)
            .foreignKey("user_organization_id_organizations_id_fk")
            .build();

    private static MigrationPlan planOn(int major) {
        try (TestDatabase database = TestDatabase.embedded(major)) {
            database.runbookSchema();
            return NotNullMigration.builder(database.cutoverDatabase(), CUTOVER).build().plan();
        }
    }

    @Test
    void rendersThePostgres18SequenceAsSql() {
        assertThat(planOn(18).toSql()).isEqualTo(PG18);
    }

    @Test
    void rendersThePostgres12SequenceAsSql() {
        assertThat(planOn(12).toSql()).isEqualTo(PG12);
    }

    @Test
    void marksTheStepsTheCatalogShowsDone() {
        try (TestDatabase database = TestDatabase.create()) {
            database.runbookSchema().execute("""
                    alter table "user" add constraint user_organization_id_organizations_id_fk
                      foreign key (organization_id) references organizations (id) on delete restrict not valid""");
            CutoverDatabase db = database.cutoverDatabase();
            MigrationPlan plan = NotNullMigration.builder(db, CUTOVER).build().plan();

            int last = plan.steps().size() - 1;
            assertThat(plan.steps().get(last - 1).done()).isTrue();
            assertThat(plan.steps().get(last).done()).isFalse();
            assertThat(plan.pending()).hasSize(plan.steps().size() - 1);
            assertThat(plan.complete()).isFalse();
        }
    }

    @Test
    void writesIntervalsInPostgresUnits() {
        assertThat(MigrationPlan.interval(Duration.ofMillis(50))).isEqualTo("50ms");
        assertThat(MigrationPlan.interval(Duration.ofSeconds(2))).isEqualTo("2s");
        assertThat(MigrationPlan.interval(Duration.ofMinutes(10))).isEqualTo("10min");
        assertThat(MigrationPlan.interval(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(MigrationPlan.interval(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    private static final String PG18 = """
                -- NOT NULL without downtime for public."user".organization_id (PostgreSQL 18 and later)
                -- Run each statement in its own transaction. A statement that fails with SQLSTATE 55P03
                -- (lock not available) found the table busy: retry it later, do not raise lock_timeout.

                -- Step 1 of 4: add NOT NULL constraint on organization_id NOT VALID
                -- Lock: ACCESS EXCLUSIVE; brief, no table scan
                SET lock_timeout = '50ms';
                ALTER TABLE "public"."user" ADD CONSTRAINT "user_organization_id_not_null" NOT NULL "organization_id" NOT VALID;

                -- Step 2 of 4: validate NOT NULL constraint user_organization_id_not_null
                -- Lock: SHARE UPDATE EXCLUSIVE; scans the table while reads and writes go on
                SET lock_timeout = '50ms';
                SET statement_timeout = '1h';
                ALTER TABLE "public"."user" VALIDATE CONSTRAINT "user_organization_id_not_null";
                RESET statement_timeout;

                -- Step 3 of 4: add foreign key user_organization_id_organizations_id_fk NOT VALID
                -- Lock: SHARE ROW EXCLUSIVE; brief, no table scan
                SET lock_timeout = '50ms';
                ALTER TABLE "public"."user" ADD CONSTRAINT "user_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations" ("id") ON DELETE RESTRICT NOT VALID;

                -- Step 4 of 4: validate foreign key user_organization_id_organizations_id_fk
                -- Lock: SHARE UPDATE EXCLUSIVE; scans the table while reads and writes go on
                SET lock_timeout = '50ms';
                SET statement_timeout = '1h';
                ALTER TABLE "public"."user" VALIDATE CONSTRAINT "user_organization_id_organizations_id_fk";
                RESET statement_timeout;

                RESET lock_timeout;
                """;

    private static final String PG12 = """
                -- NOT NULL without downtime for public."user".organization_id (PostgreSQL 12 to 17)
                -- Run each statement in its own transaction. A statement that fails with SQLSTATE 55P03
                -- (lock not available) found the table busy: retry it later, do not raise lock_timeout.

                -- Step 1 of 6: add CHECK (organization_id IS NOT NULL) NOT VALID
                -- Lock: ACCESS EXCLUSIVE; brief, no table scan
                SET lock_timeout = '50ms';
                ALTER TABLE "public"."user" ADD CONSTRAINT "user_organization_id_cutover_not_null" CHECK ("organization_id" IS NOT NULL) NOT VALID;

                -- Step 2 of 6: validate CHECK constraint user_organization_id_cutover_not_null
                -- Lock: SHARE UPDATE EXCLUSIVE; scans the table while reads and writes go on
                SET lock_timeout = '50ms';
                SET statement_timeout = '1h';
                ALTER TABLE "public"."user" VALIDATE CONSTRAINT "user_organization_id_cutover_not_null";
                RESET statement_timeout;

                -- Step 3 of 6: set organization_id NOT NULL (no scan: the valid CHECK proves it)
                -- Lock: ACCESS EXCLUSIVE; brief, no table scan
                SET lock_timeout = '50ms';
                ALTER TABLE "public"."user" ALTER COLUMN "organization_id" SET NOT NULL;

                -- Step 4 of 6: drop CHECK constraint user_organization_id_cutover_not_null, now redundant
                -- Lock: ACCESS EXCLUSIVE; brief, no table scan
                SET lock_timeout = '50ms';
                ALTER TABLE "public"."user" DROP CONSTRAINT "user_organization_id_cutover_not_null";

                -- Step 5 of 6: add foreign key user_organization_id_organizations_id_fk NOT VALID
                -- Lock: SHARE ROW EXCLUSIVE; brief, no table scan
                SET lock_timeout = '50ms';
                ALTER TABLE "public"."user" ADD CONSTRAINT "user_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations" ("id") ON DELETE RESTRICT NOT VALID;

                -- Step 6 of 6: validate foreign key user_organization_id_organizations_id_fk
                -- Lock: SHARE UPDATE EXCLUSIVE; scans the table while reads and writes go on
                SET lock_timeout = '50ms';
                SET statement_timeout = '1h';
                ALTER TABLE "public"."user" VALIDATE CONSTRAINT "user_organization_id_organizations_id_fk";
                RESET statement_timeout;

                RESET lock_timeout;
                """;
}
