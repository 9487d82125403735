package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.testing.TestDatabase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link CutoverCallback} beside other Java callbacks given through the API and SQL callbacks found in the locations. */
class CallbackCoexistenceTest {

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    private FluentConfiguration flyway(Callback... callbacks) {
        return Flyway.configure()
                .dataSource(db.dataSource())
                .locations("classpath:dev/cutover/flyway/coexist/migration", "classpath:dev/cutover/flyway/coexist/callback")
                .callbacks(callbacks);
    }

    @Test
    void dropsNoOtherCallback() {
        flyway().target("16").load().migrate();
        db.execute("insert into organizations (name) values ('Acme'); insert into \"user\" (email) values ('a@example.com')");
        Recorder before = new Recorder();
        Recorder after = new Recorder();
        CutoverCallback cutoverCallback = CutoverCallback.forMigration("17", cutover()).build();

        Throwable blocked = catchThrowable(() -> flyway(before, cutoverCallback, after).load().migrate());

        assertThat(cutoverFailure(blocked).reason()).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);
        // Flyway runs callbacks of one event in name order and stops the event at the first that throws;
        // each callback still sees the migration start and fail.
        for (Recorder r : List.of(before, after)) {
            assertThat(r.events).containsSubsequence("beforeMigrate", "afterMigrateError");
        }

        db.execute("update \"user\" set organization_id = 1");
        before.events.clear();
        after.events.clear();
        flyway(before, cutoverCallback, after).load().migrate();

        for (Recorder r : List.of(before, after)) {
            assertThat(r.events).containsSubsequence("beforeMigrate", "beforeEachMigrate 17", "afterEachMigrate 17", "afterMigrate");
        }
        // beforeMigrate.sql ran on every migrate (also the first, blocked one), afterEachMigrate.sql after V16 and V17.
        assertThat(db.queryLong("select count(*) from callback_log where event = 'beforeMigrate'")).isEqualTo(3);
        assertThat(db.queryLong("select count(*) from callback_log where event = 'afterEachMigrate'")).isEqualTo(2);
        assertThat(db.cutoverDatabase().verify(cutover()).passed()).isTrue();
    }

    /** Writes down the events it sees. */
    private static final class Recorder implements Callback {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public boolean supports(Event event, Context context) {
            return !event.getId().equals("createSchema");
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            events.add(event.getId() + (context.getMigrationInfo() == null || context.getMigrationInfo().getVersion() == null
                    ? "" : " " + context.getMigrationInfo().getVersion().getVersion()));
        }

        @Override
        public String getCallbackName() {
            return "recorder";
        }
    }
}
