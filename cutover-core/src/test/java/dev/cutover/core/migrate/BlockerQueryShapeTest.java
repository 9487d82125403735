package dev.cutover.core.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Blocker reports show other sessions' query shapes, never the values in them. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BlockerQueryShapeTest {

    @Test
    void replacesLiteralsOfEveryKind() {
        assertThat(QueryShape.of("update \"user\" set email = 'jane.doe@example.com', note = E'it\\'s', n = -12.5e+3 "
                + "where id = 42 and code = $tag$secret 'x'$tag$ and b = B'1010' and u = U&'d\\0061t' and x = $$v$$ "
                + "and p = $1 /* jane */ -- doe\n and col2 = 'it''s'"))
                .isEqualTo("update \"user\" set email = $1, note = $2, n = -$3 where id = $4 and code = $5 and b = $6 and u = $7 "
                        + "and x = $8 and p = $1   \n and col2 = $9");
        assertThat(QueryShape.of("select \"a'b\", t2.c1 from t2 where c1 > .5")).isEqualTo("select \"a'b\", t2.c1 from t2 where c1 > $1");
    }

    @Test
    void theTimeoutTheWarningAndTheEventShowNoValues() {
        try (TestDatabase database = TestDatabase.create()) {
            database.runbookSchema().execute("""
                    insert into organizations (name) values ('Acme');
                    insert into "user" (email, organization_id) values ('ann@acme.test', 1)""");
            CutoverDatabase db = database.cutoverDatabase();
            NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").sensitive("email").build();
            List<MigrationEvent> events = new CopyOnWriteArrayList<>();
            try (OpenTransaction writer = new OpenTransaction(database,
                    "update \"user\" set email = 'jane.doe@example.com' where id = 1")) {
                MigrationTimeoutException e = catchThrowableOfType(MigrationTimeoutException.class, () -> NotNullMigration
                        .builder(db, cutover).deadline(Duration.ofSeconds(10)).onEvent(events::add).build().run());

                assertThat(e.getMessage()).doesNotContain("jane.doe")
                        .contains("): update \"user\" set email = $1 where id = $2\n");
                assertThat(e.blockers()).extracting(Blocker::query).containsExactly("update \"user\" set email = $1 where id = $2");
                assertThat(events).filteredOn(MigrationEvent.Waiting.class::isInstance).isNotEmpty()
                        .allSatisfy(w -> assertThat(w.toString()).doesNotContain("jane.doe"));
                assertThat(writer.pid()).isEqualTo(e.blockers().get(0).pid());
            }
        }
    }
}
