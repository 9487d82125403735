package dev.cutover.flyway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which statements read the whole table under a lock that stops its writers. */
class BlockingStatementsTest {

    private static List<String> find(String sql, boolean proved, boolean transactional) {
        return BlockingStatements.find(sql, "public", "user", "organization_id", proved, transactional);
    }

    @Test
    void findsSetNotNullAndValidatingConstraints() {
        assertThat(find("""
                -- SET NOT NULL in a comment
                ALTER TABLE "user" ALTER COLUMN organization_id SET NOT NULL;
                alter table public."user" add constraint fk foreign key (organization_id) references organizations (id);
                ALTER TABLE ONLY "user" ADD CHECK (organization_id > 0);
                ALTER TABLE "user" ADD CONSTRAINT nn NOT NULL organization_id;
                """, false, true)).hasSize(4);
    }

    @Test
    void letsNotValidConstraintsValidationAndOtherTablesThrough() {
        assertThat(find("""
                ALTER TABLE "user" ADD CONSTRAINT c CHECK (organization_id IS NOT NULL) NOT VALID;
                ALTER TABLE "user" ADD CONSTRAINT fk FOREIGN KEY (organization_id) REFERENCES organizations (id) NOT VALID;
                ALTER TABLE "user" VALIDATE CONSTRAINT c;
                ALTER TABLE "user" VALIDATE CONSTRAINT fk;
                ALTER TABLE "user" ALTER COLUMN email SET NOT NULL;
                ALTER TABLE users ALTER COLUMN organization_id SET NOT NULL;
                ALTER TABLE other."user" ALTER COLUMN organization_id SET NOT NULL;
                DO $$ BEGIN ALTER TABLE "user" ALTER COLUMN organization_id SET NOT NULL; END $$;
                """, false, true)).isEmpty();
    }

    @Test
    void setNotNullIsCheapWhenAValidCheckProvesIt() {
        String sql = """
                ALTER TABLE "user" ADD CONSTRAINT c CHECK (organization_id IS NOT NULL) NOT VALID;
                ALTER TABLE "user" VALIDATE CONSTRAINT c;
                ALTER TABLE "user" ALTER COLUMN organization_id SET NOT NULL;
                """;
        assertThat(find(sql, false, false)).isEmpty();
        assertThat(find(sql, false, true)).hasSize(1);
        assertThat(find("ALTER TABLE \"user\" ALTER organization_id SET NOT NULL", true, true)).isEmpty();
    }
}
