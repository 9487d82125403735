package dev.cutover.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;
import org.junit.jupiter.api.Test;

// tag::annotation-options[]
@CutoverTest(postgresVersion = 12, flywayLocations = "classpath:db/migration")
class OnTheOldestServerTest {

    @Test
    void migratesOnPostgres12(TestDatabase db) {
        db.flyway().load().migrate();
        assertThat(db.majorVersion()).isEqualTo(12);
        assertThat(db.queryForLong("select count(*) from accounts")).isEqualTo(1);
    }
}
// end::annotation-options[]
