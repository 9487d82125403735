package dev.cutover.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.CutoverExtension;
import dev.cutover.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// tag::builder-options[]
class ConfiguredTest {

    @RegisterExtension
    static CutoverExtension cutover = CutoverExtension.builder()
            .postgresVersion(12)                                          // embedded or container PostgreSQL 12
            // .jdbcUrl("jdbc:postgresql://db:5432/postgres?user=ci")   // or reuse a running server
            // .server(PostgresServers.embedded(12))                    // or a server you hold
            .flywayLocations("classpath:db/migration")
            .build();

    @BeforeAll
    static void schema(TestDatabase db) {   // a static field serves @BeforeAll methods too
        db.flyway().load().migrate();
    }

    @Test
    void seesTheSchema(TestDatabase db) {
        assertThat(db.majorVersion()).isEqualTo(12);
        assertThat(db.queryForLong("select count(*) from accounts")).isEqualTo(1);
    }
}
// end::builder-options[]
