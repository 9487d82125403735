package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.flyway;
import static dev.cutover.flyway.Runbook.historyRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.testing.TestDatabase;
import org.flywaydb.core.api.callback.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The callback behind a class that frameworks can inspect on every Flyway line (run in CI on 11.7, 11.14 and 13). */
class PortableCallbackTest {

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
        Runbook.tablesWithThreeNullUsers(db, "runbook");
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void itsClassListsItsMethodsOnTheFlywayOnTheClassPath() {
        Callback portable = CutoverCallback.forMigration("17", cutover()).build().portable();

        assertThatCode(() -> portable.getClass().getDeclaredMethods()).doesNotThrowAnyException();
        assertThat(portable.getCallbackName()).isEqualTo("cutover public.\"user\".organization_id");
        assertThat(portable).isEqualTo(portable).isNotEqualTo(CutoverCallback.forMigration("17", cutover()).build().portable());
    }

    @Test
    void blocksAndThenVerifiesAsTheCallbackItselfDoes() {
        Callback portable = CutoverCallback.forMigration("17", cutover()).build().portable();

        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "runbook", portable).load().migrate());
        assertThat(cutoverFailure(blocked).reason()).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);
        assertThat(historyRows(db, "17")).isZero();

        db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        assertThat(flyway(db.dataSource(), "runbook", portable).load().migrate().migrationsExecuted).isOne();
    }
}
