package dev.cutover.core.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** The reconciliation SQL is one read-only query: it can neither end the caller's transaction nor change rows. */
class ReconciliationStatementTest {

    @Test
    void refusesMoreThanOneStatementOrAStatementThatIsNoQueryBeforeAnythingRuns() {
        for (String sql : new String[] {"commit; update \"user\" set email = 'x'; select 0", "select 0; commit",
                "commit", "update \"user\" set email = 'x' returning 0", "call p()"}) {
            assertThatThrownBy(() -> PreflightChecks.reconciliationClear(sql)).as(sql)
                    .isInstanceOf(CutoverConfigurationException.class)
                    .hasMessageStartingWith("reconciliationClear needs one query (SELECT or WITH ... SELECT) returning one count; "
                            + "more than one statement, or a statement that is not a query, is refused: ");
        }
    }

    @Test
    void semicolonsInLiteralsAndCommentsAndATrailingOneAreFine() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            assertThat(PreflightChecks.reconciliationClear("select count(*) from (values ('a;b'), ($$c;d$$)) v(x) "
                    + "where x = ';' -- ;\n;").run(db.cutoverDatabase()).detail()).startsWith("returned 0: ");
        }
    }

    @Test
    void aDataModifyingQueryChangesNothing() {
        try (TestDatabase db = TestDatabase.create()) {
            db.runbookSchema().execute("insert into \"user\" (email) values ('ann@acme.test')");
            PreflightCheck check = PreflightChecks.reconciliationClear(
                    "with changed as (update \"user\" set email = 'x' returning 1) select count(*) - count(*) from changed");

            Throwable failed = catchThrowable(() -> check.run(db.cutoverDatabase()));

            assertThat(failed).hasStackTraceContaining("read-only");
            assertThat(db.queryString("select email from \"user\"")).isEqualTo("ann@acme.test");
        }
    }
}
