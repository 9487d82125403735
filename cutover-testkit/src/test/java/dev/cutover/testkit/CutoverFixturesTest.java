package dev.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.examples.runbook.Runbook;
import dev.cutover.runbook.RunbookSchema;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@CutoverTest
class CutoverFixturesTest {

    @BeforeAll
    static void schema(TestDatabase db) {
        db.execute(RunbookSchema.DDL);
        db.execute("""
                create table orders (id bigint primary key, customer_id bigint, note text);
                create table strict (id bigint primary key, code text not null, amount int not null, ref bigint);
                create table done (id bigint primary key, ref bigint not null);
                """);
    }

    @Test
    void insertsNullRowsNumberedOnFromTheRowsAlreadyThere(TestDatabase db) {
        NotNullCutover cutover = NotNullCutover.builder("orders", "customer_id").build();
        db.execute("insert into orders values (1, 7, 'kept')");

        db.fixtures().insertNullRows(cutover, 3, Map.of("id", "{n}"))
                .insertNullRows(cutover, 2, Map.of("id", "{n}", "note", "order {n}"));

        assertThat(db.cutoverDatabase().probe(cutover).count()).isEqualTo(5);
        assertThat(db.queryForString("select string_agg(id || ':' || coalesce(note, '-'), ',' order by id) from orders"))
                .isEqualTo("1:kept,2:-,3:-,4:-,5:order 5,6:order 6");
    }

    @Test
    void insertsNullRowsIntoTheRunbooksUserTable(TestDatabase db) {
        db.fixtures().insertNullRows(Runbook.cutover(), 1000, Map.of("email", "user-{n}@example.com"));

        assertThat(db.cutoverDatabase().probe(Runbook.cutover()).count()).isGreaterThanOrEqualTo(1000);
        assertThat(db.queryForLong("select count(*) from \"user\" where email = 'user-1000@example.com'")).isEqualTo(1);
    }

    @Test
    void bindsOtherValuesAsTheyAre(TestDatabase db) {
        NotNullCutover cutover = NotNullCutover.builder("strict", "ref").build();

        db.fixtures().insertNullRows(cutover, 2, Map.of("id", "{n}", "code", "c", "amount", 5));

        assertThat(db.queryForLong("select sum(amount) from strict where ref is null and code = 'c'")).isEqualTo(10);
    }

    @Test
    void notNullColumnsWithoutValuesAreNamed(TestDatabase db) {
        NotNullCutover cutover = NotNullCutover.builder("strict", "ref").build();

        assertThatThrownBy(() -> db.fixtures().insertNullRows(cutover, 1, Map.of("id", "{n}")))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("public.strict has NOT NULL columns without a default: code, amount. Give them values in the row "
                        + "template, e.g. Map.of(\"code\", \"value-{n}\")");
    }

    @Test
    void unknownTemplateColumnsAreNamed(TestDatabase db) {
        NotNullCutover cutover = NotNullCutover.builder("orders", "customer_id").build();

        assertThatThrownBy(() -> db.fixtures().insertNullRows(cutover, 1, Map.of("id", "{n}", "nope", 1)))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Row template column nope does not exist in public.orders; its columns are: id, customer_id, note");
        assertThatThrownBy(() -> db.fixtures().insertNullRows(cutover, 1, Map.of("customer_id", 1)))
                .hasMessage("The row template gives a value for public.orders.customer_id, the column that is to be NULL: leave it out");
        assertThatThrownBy(() -> db.fixtures().insertNullRows(cutover, -1))
                .hasMessage("count must be between 0 and 10000000, but was -1");
    }

    @Test
    void aColumnThatIsAlreadyNotNullCannotGetNullRows(TestDatabase db) {
        NotNullCutover cutover = NotNullCutover.builder("done", "ref").build();

        assertThatThrownBy(() -> db.fixtures().insertNullRows(cutover, 1, Map.of("id", 1)))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("public.done.ref is already NOT NULL, so it cannot hold NULL rows: insert them before the migration");
    }
}
