package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Undo of a run after the column stopped accepting NULL (the cutover's constraint, or NOT NULL):
 * a clear refusal naming what refuses the NULLs and what to do, before any row changes, and no
 * row's values in the message (the server's "Failing row contains (...)" quotes the whole row).
 */
class UndoAfterEnforceTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.cutoverDatabase());
    static CutoverDatabase db;

    @BeforeEach
    void rows() {
        database.execute("""
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                drop table if exists member;
                create table member (id bigint primary key, email text not null, org bigint);
                insert into member select i, 'jane.doe' || i || '@example.com', case when i % 2 = 0 then null else 1 end
                from generate_series(1, 40) i;
                """);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "alter table member add constraint member_org_not_null check (org is not null) not valid",
        "alter table member alter column org set not null"})
    void undoRefusesClearlyOnceTheColumnRefusesNull(String enforce) {
        NotNullCutover cutover = NotNullCutover.builder("member", "org").inspect("id", "email").sensitive("email").build();
        RemediationReport report = Remediation.builder(db, cutover).policy(RemediationPolicies.constant(7L)).batchSize(5)
                .build().run();
        assertThat(report.assigned()).isEqualTo(20);
        database.execute(enforce);
        String before = database.queryString("select md5(string_agg(id || ':' || org, ',' order by id)) from member");

        assertThatThrownBy(() -> Remediation.undo(db, report.runId()))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageContaining("public.member.org")
                .hasMessageContaining("no longer accepts NULL")
                .hasMessageContaining("nothing was restored")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("jane.doe").doesNotContain("example.com")
                        .doesNotContain("Failing row"));
        assertThat(database.queryString("select md5(string_agg(id || ':' || org, ',' order by id)) from member")).isEqualTo(before);
        assertThat(database.queryLong("select count(*) from cutover_journal_batch where undone_at is not null or action = 'undo'"))
                .isZero();
    }
}
