package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Target;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The end-of-round count in block ranges agrees with one {@code count(*)}, whatever the range size. */
class BlockRangeCountTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> {
        d.execute("""
                create table "Wide Rows" (id int primary key, filler text not null, v int);
                insert into "Wide Rows" select i, repeat('x', 300), case when i % 7 = 0 then null else 1 end
                from generate_series(1, 3000) i;
                delete from "Wide Rows" where id between 1000 and 1400;
                create table parted (id int primary key, filler text not null, v int) partition by range (id);
                create table parted_1 partition of parted for values from (0) to (1000);
                create table parted_2 partition of parted for values from (1000) to (3000);
                insert into parted select i, repeat('x', 300), case when i % 7 = 0 then null else 1 end
                from generate_series(0, 2999) i;
                """);
    });

    @ParameterizedTest(name = "{0} blocks a statement")
    @ValueSource(ints = {1, 7, 4096})
    void countsEveryNullRowOnce(int chunkBlocks) throws Exception {
        long blocks = database.queryLong("select pg_relation_size('\"Wide Rows\"') / current_setting('block_size')::int");
        assertThat(blocks).as("the table spans many blocks").isGreaterThan(50);
        DatabaseHandle db = DatabaseHandle.of(database.cutoverDatabase());
        Target target = db.target(NotNullCutover.builder("Wide Rows", "v").build());
        try (BatchRunner runner = new BatchRunner(database.dataSource(), "block range count test", Duration.ofMillis(100),
                Duration.ofSeconds(10), 3, Duration.ofSeconds(10), "\"Wide Rows\".v", (attempt, state, wait) -> { })) {
            assertThat(RemediationEngine.countNullsByBlockRanges(runner, target, chunkBlocks))
                    .isEqualTo(database.queryLong("select count(*) from \"Wide Rows\" where v is null"))
                    .isEqualTo(3000 / 7 - (1400 / 7 - 999 / 7));
        }
    }

    @ParameterizedTest(name = "{0} blocks a statement")
    @ValueSource(ints = {1, 7, 4096})
    void countsEveryNullRowOfEveryPartition(int chunkBlocks) throws Exception {
        DatabaseHandle db = DatabaseHandle.of(database.cutoverDatabase());
        Target target = db.target(NotNullCutover.builder("parted", "v").build());
        try (BatchRunner runner = new BatchRunner(database.dataSource(), "block range count test", Duration.ofMillis(100),
                Duration.ofSeconds(10), 3, Duration.ofSeconds(10), "parted.v", (attempt, state, wait) -> { })) {
            assertThat(RemediationEngine.countNullsByBlockRanges(runner, target, chunkBlocks))
                    .isEqualTo(database.queryLong("select count(*) from parted where v is null"))
                    .isEqualTo(3000 / 7 + 1);
        }
    }
}
