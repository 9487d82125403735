package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a careful user expects of remediation on production data: values never become SQL
 * text, a key must identify one row, undo never touches a write it did not make, and a per-row
 * decision is made on the values its UPDATE commits against. The database runs with
 * {@code standard_conforming_strings = off}, where a backslash in a string literal escapes.
 */
class RemediationSafetyTest {

    static TestDatabase database;
    static CutoverDatabase db;

    /** Values that break out of a literal, or mean something else, if they ever become SQL text. */
    static final List<String> HOSTILE = List.of(
            "back\\slash",
            "it's",
            "x\\' or true --",
            "$$dollar$$",
            "-- not a comment",
            "\\'; update account set label = secret where true; --");

    static final NotNullCutover USER = NotNullCutover.builder("user", "organization_id")
            .inspect("id", "email")
            .build();

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.create();
        database.runbookSchema().execute("""
                create type mood as enum ('it''s fine', 'plain');
                alter type mood add value E'back\\\\slash';
                """);
        // Every new session of this database now treats a backslash in a literal as an escape.
        database.execute("do $$ begin execute format('alter database %I set standard_conforming_strings = off', "
                + "current_database()); end $$");
        db = database.cutoverDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @BeforeEach
    void rows() {
        database.execute("""
                drop table if exists account, mooded, member;
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                create table account (id bigint primary key, label text, secret text not null);
                insert into account select i, case when i % 2 = 0 then 'set by app ' || i end, 'secret-' || i
                from generate_series(1, 12) i;
                truncate "user", organizations restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test'), ('Globex', 'globex.test');
                insert into "user" (email, created_at, organization_id)
                select case when i % 3 = 0 then 'u' || i || '@acme.test' else 'u' || i || '@globex.test' end,
                       timestamptz '2026-01-01' + i * interval '1 minute', case when i % 2 = 0 then null else 1 end
                from generate_series(1, 30) i;
                """);
    }

    private static Map<Long, String> labels() {
        Map<Long, String> out = new LinkedHashMap<>();
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, label from account order by id")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static void assertRowsTheApplicationSetAreUntouched(Map<Long, String> labels) {
        for (long id = 2; id <= 12; id += 2) {
            assertThat(labels.get(id)).as("row %s, set by the application", id).isEqualTo("set by app " + id);
        }
    }

    // ---------------------------------------------------------------- defect 1: values are bind parameters

    @Test
    void theSessionReallyTreatsBackslashesAsEscapes() {
        assertThat(database.queryString("show standard_conforming_strings")).isEqualTo("off");
    }

    @Test
    void aPerRowPolicysValuesTravelAsBindParametersWhateverTheyHold() {
        NotNullCutover cutover = NotNullCutover.builder("account", "label").build();
        RemediationReport report = Remediation.builder(db, cutover)
                .policy(row -> RemediationDecision.assign(HOSTILE.get((int) (((Long) row.value("id")) - 1) / 2)))
                .batchSize(4).build().run();

        Map<Long, String> labels = labels();
        for (int i = 0; i < HOSTILE.size(); i++) {
            assertThat(labels.get(2L * i + 1)).as("row %s", 2 * i + 1).isEqualTo(HOSTILE.get(i));
        }
        assertRowsTheApplicationSetAreUntouched(labels);
        assertThat(report.assigned()).isEqualTo(6);
        assertThat(database.queryLong("select count(*) from cutover_journal j join account a on a.id = (j.key->>'id')::bigint "
                + "and a.label = j.new_value")).isEqualTo(6);

        UndoReport undo = Remediation.undo(db, report.runId());
        assertThat(undo.restored()).isEqualTo(6);
        assertThat(database.queryLong("select count(*) from account where label is null")).isEqualTo(6);
    }

    @Test
    void aConstantTravelsAsABindParameterInItsCheckAndInEveryBatch() {
        NotNullCutover cutover = NotNullCutover.builder("account", "label").build();
        for (String value : HOSTILE) {
            database.execute("update account set label = null where id % 2 = 1");
            RemediationReport report = Remediation.builder(db, cutover).policy(RemediationPolicies.constant(value))
                    .batchSize(4).build().run();
            Map<Long, String> labels = labels();
            for (long id = 1; id <= 11; id += 2) {
                assertThat(labels.get(id)).as("row %s given %s", id, value).isEqualTo(value);
            }
            assertRowsTheApplicationSetAreUntouched(labels);
            assertThat(report.assigned()).isEqualTo(6);
            assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(6);
        }
    }

    @Test
    void enumAndUuidValuesAreBoundAndCastToTheColumnsType() {
        database.execute("""
                create table mooded (id bigint primary key, mood mood, token uuid);
                insert into mooded select i, null, null from generate_series(1, 6) i;
                """);
        NotNullCutover moods = NotNullCutover.builder("mooded", "mood").build();
        Remediation.builder(db, moods).policy(row -> RemediationDecision.assign(((Long) row.value("id")) % 2 == 0
                ? "it's fine" : "back\\slash")).build().run();
        assertThat(database.queryLong("select count(*) from mooded where mood = 'it''s fine'")).isEqualTo(3);
        assertThat(database.queryLong("select count(*) from mooded where mood::text = 'back' || chr(92) || 'slash'")).isEqualTo(3);

        UUID token = UUID.fromString("6f1c1f43-6a43-4b4e-9b6c-0d3d1c1e2f30");
        RemediationReport report = Remediation.builder(db, NotNullCutover.builder("mooded", "token").build())
                .policy(RemediationPolicies.constant(token)).build().run();
        assertThat(report.assigned()).isEqualTo(6);
        assertThat(database.queryLong("select count(*) from mooded where token = '" + token + "'")).isEqualTo(6);
    }

    @Test
    void aValueWithANulCharacterIsRefusedClearly() {
        NotNullCutover cutover = NotNullCutover.builder("account", "label").build();
        assertThatThrownBy(() -> Remediation.builder(db, cutover).policy(RemediationPolicies.constant("a\u0000b")).build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("RemediationPolicies.constant(...) does not fit public.account.label: the value contains a NUL "
                        + "character (U+0000), which PostgreSQL cannot store in text. Remove it from the value.");

        RemediationReport report = Remediation.builder(db, cutover)
                .policy(row -> RemediationDecision.assign(((Long) row.value("id")) == 1 ? "a\u0000b" : "ok")).build().run();
        assertThat(report.assigned()).isEqualTo(5);
        assertThat(report.skippedByReason()).containsOnlyKeys(BatchStatements.NUL_REASON);
        assertThat(labels().get(1L)).isNull();
    }

    // ---------------------------------------------------------------- defect 3: the key must identify one row

    @Test
    void aKeyThatIsNotUniqueOverNotNullColumnsIsRefusedBeforeAnyChangeNamingTheIndexesThatExist() {
        database.execute("""
                create table member (id bigint primary key, email text not null, nick text, org bigint, plan text);
                create unique index member_nick_key on member (nick);
                create unique index member_email_lower on member (lower(email));
                create unique index member_email_active on member (email) where org is not null;
                insert into member values (1, 'a@x.test', 'a', null, null), (2, 'b@x.test', 'b', 1, 'pro'),
                                          (3, 'c@x.test', 'c', null, null);
                """);
        for (String key : List.of("email", "nick", "org")) {
            NotNullCutover cutover = NotNullCutover.builder("member", "plan").key(key).build();
            assertThatThrownBy(() -> Remediation.builder(db, cutover).policy(RemediationPolicies.constant("free")).build())
                    .isInstanceOf(CutoverConfigurationException.class)
                    .hasMessage("Key (" + key + ") of public.member does not identify one row: a remediation key must be the "
                            + "primary key or the columns of a unique index over NOT NULL columns (a partial or expression index "
                            + "does not count). Unique indexes of public.member: member_pkey (id, primary key), "
                            + "member_nick_key (nick; nick may be NULL), member_email_lower (an expression), "
                            + "member_email_active (partial). Give one of those with NotNullCutover.builder(...).key(...).");
        }
        assertThat(database.queryLong("select count(*) from member where plan is null")).isEqualTo(2);

        database.execute("alter table member alter column nick set not null");
        assertThat(Remediation.builder(db, NotNullCutover.builder("member", "plan").key("nick").build())
                .policy(RemediationPolicies.constant("free")).build().run().assigned()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- defect 2: undo touches only this run's writes

    @Test
    void undoLeavesRowsTheApplicationWroteAfterTheRunEvenWithTheSameValue() {
        RemediationReport report = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(4)
                .build().run();
        assertThat(report.assigned()).isEqualTo(15);
        database.execute("update \"user\" set organization_id = 2 where id = 2");
        database.execute("update \"user\" set email = 'renamed@globex.test' where id = 4");

        UndoReport undo = Remediation.undo(db, report.runId());

        assertThat(undo.restored()).isEqualTo(13);
        assertThat(undo.changedSince()).isEqualTo(2);
        assertThat(undo.alreadyUndone()).isZero();
        assertThat(database.queryLong("select count(*) from \"user\" where id in (2, 4) and organization_id = 2")).isEqualTo(2);

        UndoReport again = Remediation.undo(db, report.runId());
        assertThat(again.restored()).isZero();
        assertThat(again.changedSince()).isZero();
        assertThat(again.alreadyUndone()).isEqualTo(15);
    }

    @Test
    void undoingARunAgainAfterALaterRunLeavesTheLaterRunsWorkAlone() {
        RemediationReport a = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).build().run();
        assertThat(Remediation.undo(db, a.runId()).restored()).isEqualTo(15);
        RemediationReport b = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).build().run();
        assertThat(b.assigned()).isEqualTo(15);

        UndoReport again = Remediation.undo(db, a.runId());

        assertThat(again.restored()).isZero();
        assertThat(again.alreadyUndone()).isEqualTo(15);
        assertThat(database.queryLong("select count(*) from \"user\" where organization_id is null")).isZero();
        assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + a.runId()
                + "' and action = 'undo'")).isEqualTo(15);
        assertThat(Remediation.undo(db, b.runId()).restored()).isEqualTo(15);
    }

    // ---------------------------------------------------------------- defect 4: decide on what the UPDATE commits against

    @Test
    void aPerRowDecisionIsMadeOnTheValuesItsUpdateCommitsAgainst() {
        String byDomain = "select id from organizations where domain = split_part(:email, '@', 2)";
        List<String> application = new java.util.ArrayList<>();
        RemediationPolicy moveUser6 = row -> {
            if (((Long) row.value("id")) == 6) {
                // The application moves user 6 from acme to globex while the batch decides.
                try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
                    s.execute("set lock_timeout = '300ms'");
                    s.executeUpdate("update \"user\" set email = 'u6@globex.test' where id = 6");
                    application.add("moved");
                } catch (SQLException e) {
                    application.add("waited for the batch's row lock: " + e.getSQLState());
                }
            }
            return RemediationDecision.skip("next");
        };
        RemediationReport report = Remediation.builder(db, USER)
                .policy(RemediationPolicies.firstOf(moveUser6, RemediationPolicies.lookup(byDomain))).build().run();

        assertThat(report.assigned()).isEqualTo(15);
        assertThat(database.queryLong("""
                select count(*) from "user" u join organizations o on o.id = u.organization_id
                where u.id % 2 = 0 and o.domain is distinct from split_part(u.email, '@', 2)""")).isZero();
        assertThat(application).containsExactly("waited for the batch's row lock: 55P03");
    }

    // ---------------------------------------------------------------- the set-based SQL policy

    static final String ORG_BY_DOMAIN = "select o.id from organizations o where o.domain = split_part(u.email, '@', 2)";

    @Test
    void aSqlPolicyIsEvaluatedByPostgresInsideTheBatchAndSkipsRowsItGivesNull() {
        database.execute("update \"user\" set email = 'x' || id || '@unknown.test' where id in (2, 4)");
        RemediationReport report = Remediation.builder(db, USER).policy(RemediationPolicies.sql(ORG_BY_DOMAIN)).batchSize(4)
                .build().run();

        assertThat(report.assigned()).isEqualTo(13);
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.NO_PROGRESS);
        assertThat(report.skippedByReason()).isEqualTo(Map.of(SqlPolicy.NULL_REASON, 2L));
        assertThat(report.changes()).hasSize(13).allSatisfy(c -> assertThat(c.policy()).isEqualTo("sql(" + ORG_BY_DOMAIN + ")"));
        assertThat(database.queryLong("""
                select count(*) from "user" u join organizations o on o.id = u.organization_id
                where u.id % 2 = 0 and o.domain is distinct from split_part(u.email, '@', 2)""")).isZero();
        assertThat(database.queryLong("select count(*) from cutover_journal j join \"user\" u on u.id = (j.key->>'id')::bigint "
                + "and u.organization_id::text = j.new_value where j.run_id = '" + report.runId() + "'")).isEqualTo(13);
        assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(13);
        assertThat(database.queryLong("select count(*) from \"user\" where organization_id is null")).isEqualTo(15);
    }

    @Test
    void aSqlPolicyDryRunReportsWhatTheRunThenDoesAndWritesNothing() {
        database.execute("update \"user\" set email = 'x' || id || '@unknown.test' where id in (2, 4)");
        String before = database.queryString("select md5(string_agg(id || ':' || coalesce(organization_id::text, '-'), ',' "
                + "order by id)) from \"user\"");

        RemediationReport dry = Remediation.builder(db, USER).policy(RemediationPolicies.sql(ORG_BY_DOMAIN)).batchSize(4)
                .reportLimit(5).dryRun(true).build().run();

        assertThat(database.queryString("select md5(string_agg(id || ':' || coalesce(organization_id::text, '-'), ',' "
                + "order by id)) from \"user\"")).isEqualTo(before);
        assertThat(database.queryLong("select count(*) from cutover_journal_batch")).isZero();
        RemediationReport real = Remediation.builder(db, USER).policy(RemediationPolicies.sql(ORG_BY_DOMAIN)).batchSize(4)
                .reportLimit(5).build().run();
        assertThat(dry.assigned()).isEqualTo(real.assigned()).isEqualTo(13);
        assertThat(dry.assignedByValue()).isEqualTo(real.assignedByValue());
        assertThat(dry.skippedByReason()).isEqualTo(real.skippedByReason()).isEqualTo(Map.of(SqlPolicy.NULL_REASON, 2L));
        assertThat(dry.changes()).isEqualTo(real.changes()).hasSize(5);
        assertThat(dry.skippedRows()).isEqualTo(real.skippedRows()).hasSize(2);
    }

    @Test
    void aSqlPolicyIsCheckedOnTheServerBeforeAnyChangeAndMustBeTheWholePolicy() {
        assertThatThrownBy(() -> Remediation.builder(db, USER)
                .policy(RemediationPolicies.sql("select o.nope from organizations o where o.domain = u.email")).build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageStartingWith("RemediationPolicies.sql(...) does not give a value for public.\"user\".organization_id "
                        + "of type bigint: column o.nope does not exist");
        assertThatThrownBy(() -> Remediation.builder(db, USER).policy(RemediationPolicies.firstOf(
                RemediationPolicies.sql(ORG_BY_DOMAIN), RemediationPolicies.constant(1L))).build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageStartingWith("RemediationPolicies.sql(...) must be the whole policy");
        assertThat(database.queryLong("select count(*) from \"user\" where organization_id is null")).isEqualTo(15);
    }

    // ---------------------------------------------------------------- defect 9: no sensitive value, or part of one, leaves

    static final NotNullCutover SECRET_EMAIL = NotNullCutover.builder("user", "organization_id")
            .inspect("id", "email").sensitive("email").build();

    private static List<String> messages(Throwable e) {
        List<String> out = new java.util.ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.add(String.valueOf(t));
            for (Throwable s : t.getSuppressed()) {
                out.add(String.valueOf(s));
            }
        }
        return out;
    }

    @Test
    void aFailingBatchQuotesNoRowOfATableWithSensitiveColumns() {
        database.execute("""
                update "user" set email = 'JOHN.SMITH@EXAMPLE.COM' where id = 2;
                alter table "user" add constraint not_two check (organization_id <> 2);
                """);
        try {
            for (RemediationPolicy policy : List.of(RemediationPolicies.constant(2L), row -> RemediationDecision.assign(2L))) {
                assertThatThrownBy(() -> Remediation.builder(db, SECRET_EMAIL).policy(policy).build().run())
                        .hasMessageContaining("(SQLSTATE 23514): new row for relation \"user\" violates check constraint \"***\"")
                        .satisfies(e -> assertThat(messages(e)).noneMatch(m -> m.contains("JOHN") || m.contains("EXAMPLE")
                                || m.contains("Failing row")));
            }
        } finally {
            database.execute("alter table \"user\" drop constraint not_two");
        }
    }

    @Test
    void aPolicysExceptionTextIsLeftOutWhenTheTableHasSensitiveColumns() {
        RemediationPolicy leaky = row -> {
            String email = (String) row.value("email");
            throw new IllegalStateException("no organization for " + email.substring(0, email.indexOf('@')));
        };
        assertThatThrownBy(() -> Remediation.builder(db, SECRET_EMAIL).policy(leaky).build().run())
                .isInstanceOf(RemediationException.class)
                .hasNoCause()
                .hasMessageContaining("java.lang.IllegalStateException (its message is left out: email is sensitive)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("u2"));
    }

    @Test
    void aLookupErrorQuotingAValueDerivedFromASensitiveOneIsRedacted() {
        Remediation remediation = Remediation.builder(db, SECRET_EMAIL)
                .policy(RemediationPolicies.lookup("select id from organizations where id = cast(split_part(:email, '@', 1) as bigint)"))
                .build();
        assertThatThrownBy(remediation::run)
                .hasMessageContaining("(SQLSTATE 22P02): invalid input syntax for type bigint: \"***\". SQL: ")
                .satisfies(e -> assertThat(messages(e)).noneMatch(m -> m.contains("\"u2\"") || m.contains("u2@")));
    }

    @Test
    void aSensitiveKeyIsRefusedAndASensitiveColumnsValueIsNotJournaled() {
        NotNullCutover secretKey = NotNullCutover.builder("user", "organization_id").sensitive("id").build();
        assertThatThrownBy(() -> Remediation.builder(db, secretKey).policy(RemediationPolicies.constant(2L)).build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Key column id of public.\"user\" is sensitive, and the remediation journal keeps each changed row's "
                        + "key readable so that undo can find the row. Remediate by a key that is not sensitive (the primary key, "
                        + "or a unique index over NOT NULL columns) with NotNullCutover.builder(...).key(...).");

        NotNullCutover secretColumn = NotNullCutover.builder("user", "organization_id").sensitive("organization_id").build();
        RemediationReport report = Remediation.builder(db, secretColumn).policy(RemediationPolicies.constant(2L)).build().run();
        assertThat(report.assignedByValue()).containsOnlyKeys("***");
        assertThat(database.queryLong("select count(*) from cutover_journal where new_value is not null")).isZero();
        assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(15);
    }
}
