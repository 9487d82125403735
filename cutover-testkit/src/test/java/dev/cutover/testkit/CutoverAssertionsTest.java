package dev.cutover.testkit;

import static dev.cutover.testkit.CutoverAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.verify.VerificationReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Column, foreign key and database assertions against a real catalog; failure messages to the letter. */
@CutoverTest
class CutoverAssertionsTest {

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute("""
                create table organizations (id bigint primary key);
                create table teams (id bigint primary key);
                create table nullable (id bigint primary key, organization_id bigint);
                create table plain_not_null (id bigint primary key, organization_id bigint not null);
                create table fks (id bigint primary key, org bigint, team bigint, loose bigint);
                alter table fks add constraint fks_org_fk foreign key (org) references organizations (id) on delete restrict;
                alter table fks add constraint fks_team_fk foreign key (team) references teams (id) on delete cascade;
                alter table fks add constraint fks_loose_fk foreign key (loose) references organizations (id) not valid;
                create table "Mixed Case" (k bigint primary key, "Org" bigint);
                create table lonely (only_column bigint);
                """);
    }

    @Test
    void aNullableColumnIsNullable(TestDatabase db) {
        assertThat(db).column("nullable", "organization_id").isNullable();

        assertThatThrownBy(() -> assertThat(db).column("nullable", "organization_id").isNotNullable())
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("\nExpecting column public.nullable.organization_id to be NOT NULL, but it is nullable (is_nullable = YES)");
        assertThatThrownBy(() -> assertThat(db).column("nullable", "organization_id").hasValidatedNotNull())
                .hasMessage("\nExpecting column public.nullable.organization_id to have a validated NOT NULL constraint, "
                        + "but found: nullable (is_nullable = YES)");
    }

    @Test
    void failuresCarryActualAndExpectedForTheDiff(TestDatabase db) {
        assertThatThrownBy(() -> assertThat(db).column("nullable", "organization_id").isNotNullable())
                .isInstanceOfSatisfying(AssertionFailedError.class, e -> {
                    org.assertj.core.api.Assertions.assertThat(e.getActual().getValue()).isEqualTo("nullable (is_nullable = YES)");
                    org.assertj.core.api.Assertions.assertThat(e.getExpected().getValue()).isEqualTo("NOT NULL");
                });
    }

    @Test
    void aPlainNotNullIsValidated(TestDatabase db) {
        assertThat(db).column("plain_not_null", "organization_id").isNotNullable().hasValidatedNotNull();

        assertThatThrownBy(() -> assertThat(db).column("plain_not_null", "organization_id").isNullable())
                .hasMessage("\nExpecting column public.plain_not_null.organization_id to be nullable, but it is NOT NULL");
    }

    @Test
    void anUnvalidatedNotNullOnPostgres18IsNotNullableButNotValidated(TestDatabase db) {
        assumeTrue(db.majorVersion() >= 18, "NOT NULL ... NOT VALID needs PostgreSQL 18");
        db.execute("""
                create table pending (id bigint primary key, organization_id bigint);
                insert into pending values (1, null);
                alter table pending add constraint pending_org_not_null not null organization_id not valid;
                """);

        assertThat(db).column("pending", "organization_id").isNotNullable();
        assertThatThrownBy(() -> assertThat(db).column("pending", "organization_id").hasValidatedNotNull())
                .hasMessage("\nExpecting column public.pending.organization_id to have a validated NOT NULL constraint, "
                        + "but found: not validated yet: the NOT VALID NOT NULL constraint pending_org_not_null refuses new NULLs, "
                        + "but rows written before it are unchecked and may hold NULL; remediate until the NULL count is 0, then "
                        + "run the migration (NotNullMigration.run()), which validates it");
    }

    @Test
    void anUnvalidatedCheckConstraintIsNotAValidatedNotNull(TestDatabase db) {
        db.execute("""
                create table checked (id bigint primary key, organization_id bigint);
                alter table checked add constraint checked_org_not_null check (organization_id is not null) not valid;
                """);

        assertThatThrownBy(() -> assertThat(db).column("checked", "organization_id").hasValidatedNotNull())
                .hasMessage("\nExpecting column public.checked.organization_id to have a validated NOT NULL constraint, "
                        + "but found: nullable (is_nullable = YES)");
    }

    @Test
    void namesAreQuotedAsPostgresWouldShowThem(TestDatabase db) {
        assertThatThrownBy(() -> assertThat(db).column("Mixed Case", "Org").isNotNullable())
                .hasMessage("\nExpecting column public.\"Mixed Case\".\"Org\" to be NOT NULL, but it is nullable (is_nullable = YES)");
    }

    @Test
    void anyColumnCanBeAssertedEvenTheOnlyOneOfATableWithoutKey(TestDatabase db) {
        db.execute("create table no_key (a bigint, b bigint not null)");

        assertThat(db).column("no_key", "a").isNullable();
        assertThat(db).column("no_key", "b").hasValidatedNotNull();
        assertThat(db).column("lonely", "only_column").isNullable();
    }

    @Test
    void missingTablesAndColumnsFailAtOnce(TestDatabase db) {
        assertThatThrownBy(() -> assertThat(db).column("nope", "organization_id"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("\nExpecting column public.nope.organization_id to exist, but table public.nope does not exist");
        assertThatThrownBy(() -> assertThat(db).column("nullable", "org_id"))
                .hasMessage("\nExpecting column public.nullable.org_id to exist, but public.nullable has no such column; "
                        + "its columns are: id, organization_id");
    }

    @Test
    void descriptionsArePassedOn(TestDatabase db) {
        assertThatThrownBy(() -> assertThat(db).as("after V17").column("nullable", "organization_id").isNotNullable())
                .hasMessage("[after V17] \nExpecting column public.nullable.organization_id to be NOT NULL, but it is nullable (is_nullable = YES)");
    }

    @Test
    void aForeignKeyAsTheRunbookWantsIt(TestDatabase db) {
        assertThat(db).foreignKey("fks_org_fk").references("organizations", "id").hasOnDelete(ReferentialAction.RESTRICT).isValidated();
        assertThat(db).foreignKey("fks", "fks_org_fk").references("public", "organizations", "id");
    }

    @Test
    void aForeignKeyToTheWrongTableOrWithTheWrongActionFails(TestDatabase db) {
        assertThatThrownBy(() -> assertThat(db).foreignKey("fks_team_fk").references("organizations", "id"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("\nExpecting foreign key fks_team_fk to reference public.organizations(id), but it references public.teams(id)");
        assertThatThrownBy(() -> assertThat(db).foreignKey("fks_team_fk").hasOnDelete(ReferentialAction.RESTRICT))
                .hasMessage("\nExpecting foreign key fks_team_fk to have ON DELETE RESTRICT, but it has ON DELETE CASCADE");
    }

    @Test
    void aNotValidForeignKeyIsNotValidated(TestDatabase db) {
        assertThat(db).foreignKey("fks_loose_fk").isNotValidated().hasOnDelete(ReferentialAction.NO_ACTION);

        assertThatThrownBy(() -> assertThat(db).foreignKey("fks_loose_fk").isValidated())
                .hasMessage("\nExpecting foreign key fks_loose_fk to be validated, but it is NOT VALID: existing rows are unchecked. "
                        + "Run ALTER TABLE public.fks VALIDATE CONSTRAINT fks_loose_fk");
        assertThatThrownBy(() -> assertThat(db).foreignKey("fks_org_fk").isNotValidated())
                .hasMessage("\nExpecting foreign key fks_org_fk to be NOT VALID, but it is validated");
    }

    @Test
    void aMissingForeignKeyFailsAtOnce(TestDatabase db) {
        assertThatThrownBy(() -> assertThat(db).foreignKey("user_organization_id_organizations_id_fk"))
                .hasMessage("\nExpecting foreign key user_organization_id_organizations_id_fk to exist, but there is none");
        assertThatThrownBy(() -> assertThat(db).foreignKey("nullable", "fks_org_fk"))
                .hasMessage("\nExpecting foreign key fks_org_fk to exist on table nullable, but there is none");
    }

    @Test
    void aForeignKeyNameOnTwoTablesNeedsTheTable(TestDatabase db) {
        db.execute("""
                create table twin_a (id bigint primary key, org bigint constraint twin_fk references organizations (id));
                create table twin_b (id bigint primary key, org bigint constraint twin_fk references organizations (id));
                """);

        assertThatThrownBy(() -> assertThat(db).foreignKey("twin_fk"))
                .hasMessage("\nExpecting one foreign key named twin_fk, but 2 tables have one: public.twin_a, public.twin_b. "
                        + "Name the table: foreignKey(table, name)");
        assertThat(db).foreignKey("twin_b", "twin_fk").references("organizations", "id");
    }

    @Test
    void aNullDatabaseFailsLikeAnyAssertJAssertion() {
        assertThatThrownBy(() -> assertThat((CutoverDatabase) null).column("t", "c"))
                .hasMessage("\nExpecting actual not to be null");
        assertThatThrownBy(() -> assertThat((VerificationReport) null).hasPassed())
                .hasMessage("\nExpecting actual not to be null");
    }
}
