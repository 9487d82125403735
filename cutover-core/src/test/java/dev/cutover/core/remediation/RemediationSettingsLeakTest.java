package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.testkit.db.Neighbours;
import dev.cutover.testkit.db.PgBouncer;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The remediation's {@code lock_timeout}, {@code statement_timeout} and {@code application_name}
 * never reach another client: not through a transaction-pooling PgBouncer while it runs, not
 * into a connection pool after it ran, failed, or built the NULL index.
 */
class RemediationSettingsLeakTest {

    private static final int ROWS = 40_000;
    /** Values no server or pool uses by default, so a leak cannot pass for a default. */
    private static final Duration RUN_LOCK_TIMEOUT = Duration.ofMillis(123);
    private static final Duration RUN_BATCH_TIMEOUT = Duration.ofSeconds(7);
    private static final Settings APPLICATION = new Settings("4321ms", "98765ms", "orders-app");

    private static final NotNullCutover CUTOVER = NotNullCutover.builder("ledger", "account_id")
            .inspect("id", "memo")
            .build();

    private ScratchDatabase database;

    /** What a client sees in one of its transactions. */
    record Settings(String lockTimeout, String statementTimeout, String applicationName) {
    }

    @BeforeEach
    void table() {
        database = PostgresServers.shared().createDatabase();
        database.execute("""
                create table ledger (id bigint primary key, memo text not null, account_id bigint);
                insert into ledger (id, memo, account_id)
                select i, 'entry ' || i, case when mod(i, 10) = 0 then 1 end from generate_series(1, %d) i;
                """.formatted(ROWS));
    }

    @AfterEach
    void drop() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void anObserverBehindATransactionPoolingPgBouncerNeverSeesTheRunsSettings() throws Exception {
        Neighbours.requirePgBouncer();
        try (PgBouncer bouncer = PgBouncer.builder(database).poolSize(2).start()) {
            CutoverDatabase db = CutoverDatabase.of(bouncer.dataSource());
            Remediation remediation = builder(db).policy(RemediationPolicies.constant(5L)).batchSize(250).build();

            List<Settings> seen = observeWhile(bouncer.dataSource(), remediation::run);

            assertThat(count("select count(*) from ledger where account_id is null")).isZero();
            assertNothingButTheBaseline(seen, bouncer);
        }
    }

    @Test
    void anObserverBehindATransactionPoolingPgBouncerNeverSeesTheSettingsOfARunWhosePolicyThrows() throws Exception {
        Neighbours.requirePgBouncer();
        try (PgBouncer bouncer = PgBouncer.builder(database).poolSize(2).start()) {
            CutoverDatabase db = CutoverDatabase.of(bouncer.dataSource());
            Remediation remediation = builder(db).policy(throwingAt(ROWS - 1_001)).batchSize(250).build();

            List<Settings> seen = observeWhile(bouncer.dataSource(),
                    () -> assertThatThrownBy(remediation::run).isInstanceOf(RemediationException.class));

            assertThat(count("select count(*) from ledger where account_id = 5")).isPositive();
            assertNothingButTheBaseline(seen, bouncer);
        }
    }

    @Test
    void aPooledConnectionKeepsTheApplicationsSettingsAfterARun() throws Exception {
        try (HikariDataSource pool = applicationPool()) {
            builder(CutoverDatabase.of(pool)).policy(RemediationPolicies.constant(5L)).batchSize(2_000).build().run();

            assertThat(count("select count(*) from ledger where account_id is null")).isZero();
            assertEveryPooledConnectionHasTheApplicationsSettings(pool);
        }
    }

    @Test
    void aPooledConnectionKeepsTheApplicationsSettingsAfterARunWhosePolicyThrows() throws Exception {
        try (HikariDataSource pool = applicationPool()) {
            Remediation remediation = builder(CutoverDatabase.of(pool)).policy(throwingAt(2_501)).batchSize(1_000).build();

            assertThatThrownBy(remediation::run).isInstanceOf(RemediationException.class);

            assertThat(count("select count(*) from ledger where account_id = 5")).isPositive();
            assertEveryPooledConnectionHasTheApplicationsSettings(pool);
        }
    }

    @Test
    void aPooledConnectionKeepsTheApplicationsSettingsAfterTheNullIndexIsBuilt() throws Exception {
        try (HikariDataSource pool = applicationPool()) {
            String index = CutoverDatabase.of(pool).probe(CUTOVER).createNullIndex();

            assertThat(index).isNotBlank();
            assertThat(count("select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid "
                    + "where c.relname = '" + index + "' and i.indisvalid")).isEqualTo(1);
            assertEveryPooledConnectionHasTheApplicationsSettings(pool);
        }
    }

    private static Remediation.Builder builder(CutoverDatabase db) {
        return Remediation.builder(db, CUTOVER).lockTimeout(RUN_LOCK_TIMEOUT).batchTimeout(RUN_BATCH_TIMEOUT);
    }

    /** Assigns 5, and throws for the row with this id (a lambda policy, so every batch asks it row by row). */
    private static RemediationPolicy throwingAt(long id) {
        return row -> {
            if (((Number) row.key().get("id")).longValue() == id) {
                throw new IllegalStateException("the policy cannot decide this row");
            }
            return RemediationDecision.assign(5L);
        };
    }

    /**
     * Reads the three settings in a transaction of its own every 20 ms while {@code work} runs,
     * and a few more times after it, so both of the bouncer's server connections are sampled.
     */
    private static List<Settings> observeWhile(DataSource through, ThrowingRunnable work) throws Exception {
        List<Settings> seen = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        try (Connection observer = through.getConnection()) {
            observer.setAutoCommit(false);
            seen.add(read(observer));
            observer.commit();
            CompletableFuture<Void> watching = CompletableFuture.runAsync(() -> {
                try {
                    while (!done.get()) {
                        seen.add(read(observer));
                        observer.commit();
                        Thread.sleep(20);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                work.run();
            } finally {
                done.set(true);
                watching.get(60, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 20; i++) {
                seen.add(read(observer));
                observer.commit();
            }
        }
        return seen;
    }

    /**
     * The timeouts are exactly the observer's own in every transaction. PgBouncer itself hands
     * out a server connection it opened without the client's {@code application_name} (an
     * observer beside a client that sets nothing at all sees an empty name now and then), so
     * there only the remediation's own name counts as a leak.
     */
    private static void assertNothingButTheBaseline(List<Settings> seen, PgBouncer bouncer) {
        Settings baseline = seen.get(0);
        assertThat(baseline.lockTimeout()).isNotEqualTo(RUN_LOCK_TIMEOUT.toMillis() + "ms");
        assertThat(baseline.applicationName()).doesNotContain("cutover");
        Map<Settings, Integer> other = new LinkedHashMap<>();
        for (Settings s : seen) {
            if (!s.lockTimeout().equals(baseline.lockTimeout()) || !s.statementTimeout().equals(baseline.statementTimeout())
                    || s.applicationName().contains("cutover")) {
                other.merge(s, 1, Integer::sum);
            }
        }
        assertThat(other)
                .as("settings the observer saw in its own transactions through %s (%d transactions, baseline %s)",
                        bouncer, seen.size(), baseline)
                .isEmpty();
        assertThat(seen.size()).as("transactions observed").isGreaterThan(21);
    }

    /** Every connection of the pool, borrowed at once, shows the application's own settings. */
    private static void assertEveryPooledConnectionHasTheApplicationsSettings(HikariDataSource pool) throws SQLException {
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < pool.getMaximumPoolSize(); i++) {
                all.add(pool.getConnection());
            }
            for (Connection c : all) {
                assertThat(read(c)).as("settings of a pooled connection").isEqualTo(APPLICATION);
            }
        } finally {
            for (Connection c : all) {
                c.close();
            }
        }
    }

    private HikariDataSource applicationPool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(Duration.ofSeconds(60).toMillis());
        config.setConnectionInitSql("set lock_timeout = '" + APPLICATION.lockTimeout() + "'; set statement_timeout = '"
                + APPLICATION.statementTimeout() + "'; set application_name = '" + APPLICATION.applicationName() + "'");
        return new HikariDataSource(config);
    }

    private static Settings read(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select current_setting('lock_timeout'), current_setting('statement_timeout'), "
                     + "current_setting('application_name')")) {
            rs.next();
            return new Settings(rs.getString(1), rs.getString(2), rs.getString(3));
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
