package dev.cutover.flyway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link DropStatements} finds in a migration's text. */
class DropStatementsTest {

    private static final Set<String> CARRIERS = Set.of("user_organization_id_not_null", "user_organization_id_organizations_id_fk");

    private static List<String> find(String sql) {
        return DropStatements.find(sql, "public", "user", "organization_id", CARRIERS);
    }

    @Test
    void findsDropNotNullWithQuotingCaseAndSchema() {
        assertThat(find("ALTER TABLE \"user\" ALTER COLUMN organization_id DROP NOT NULL;"))
                .containsExactly("ALTER COLUMN organization_id DROP NOT NULL");
        assertThat(find("alter table if exists only public.\"user\" * alter \"organization_id\" drop not null"))
                .containsExactly("ALTER COLUMN organization_id DROP NOT NULL");
        assertThat(find("ALTER TABLE mydb.\"public\".\"user\" ADD COLUMN x int, ALTER ORGANIZATION_ID DROP NOT NULL"))
                .containsExactly("ALTER COLUMN organization_id DROP NOT NULL");
    }

    @Test
    void findsDroppedConstraintsColumnsRenamesAndTheTable() {
        assertThat(find("alter table \"user\" drop constraint if exists \"user_organization_id_organizations_id_fk\" cascade"))
                .containsExactly("DROP CONSTRAINT user_organization_id_organizations_id_fk");
        assertThat(find("ALTER TABLE \"user\" DROP CONSTRAINT USER_ORGANIZATION_ID_NOT_NULL"))
                .containsExactly("DROP CONSTRAINT user_organization_id_not_null");
        assertThat(find("alter table \"user\" drop column if exists organization_id")).containsExactly("DROP COLUMN organization_id");
        assertThat(find("alter table \"user\" drop organization_id")).containsExactly("DROP COLUMN organization_id");
        assertThat(find("alter table \"user\" rename column organization_id to org")).containsExactly("RENAME COLUMN organization_id");
        assertThat(find("drop table if exists audit, public.\"user\" cascade")).containsExactly("DROP TABLE user");
    }

    @Test
    void searchesDollarQuotedBlocks() {
        assertThat(find("DO $body$ BEGIN ALTER TABLE \"user\" ALTER organization_id DROP NOT NULL; END $body$;"))
                .containsExactly("ALTER COLUMN organization_id DROP NOT NULL");
    }

    @Test
    void ignoresCommentsLiteralsOtherTablesOtherColumnsAndOtherSchemas() {
        assertThat(find("""
                -- ALTER TABLE "user" ALTER COLUMN organization_id DROP NOT NULL;
                /* ALTER TABLE "user" /* nested */ ALTER COLUMN organization_id DROP NOT NULL; */
                select 'ALTER TABLE "user" ALTER organization_id DROP NOT NULL; it''s text';
                select E'\\' ALTER TABLE "user" ALTER organization_id DROP NOT NULL';
                alter table "User" alter organization_id drop not null;
                alter table users alter organization_id drop not null;
                alter table other.user alter organization_id drop not null;
                alter table "user" alter email drop not null, drop constraint some_other_check;
                alter table "user" alter organization_id set not null;
                """)).isEmpty();
    }

    private static List<String> findWithReferenced(String sql) {
        return DropStatements.find(sql, "public", "user", "organization_id", CARRIERS, "public", "organizations");
    }

    @Test
    void findsWhatDropsTheForeignKeyFromTheReferencedSide() {
        assertThat(findWithReferenced("DROP TABLE organizations CASCADE;"))
                .containsExactly("DROP TABLE organizations CASCADE (drops the foreign key)");
        assertThat(findWithReferenced("alter table public.organizations drop constraint organizations_pkey cascade"))
                .containsExactly("DROP ... CASCADE on organizations (drops the foreign key)");
        assertThat(findWithReferenced("ALTER TABLE organizations DROP COLUMN id CASCADE"))
                .containsExactly("DROP ... CASCADE on organizations (drops the foreign key)");
        assertThat(findWithReferenced("do $$ begin drop table if exists organizations cascade; end $$"))
                .containsExactly("DROP TABLE organizations CASCADE (drops the foreign key)");
        assertThat(findWithReferenced("drop schema if exists public cascade")).containsExactly("DROP SCHEMA public CASCADE");
    }

    @Test
    void leavesTheReferencedTableAloneWithoutCascade() {
        assertThat(findWithReferenced("""
                drop table organizations;
                alter table organizations drop constraint organizations_domain_key, add column x int;
                alter table other drop constraint other_pkey cascade;
                drop table other cascade;
                drop schema other cascade;
                """)).isEmpty();
    }
}
