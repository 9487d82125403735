package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.flyway;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.testing.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every start after the cutover: Flyway finds the database up to date, and the callback adds nothing to it. */
class UpToDateStartTest {

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void anUpToDateMigrateSendsNoStatementBeyondFlywaysOwn() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        flyway(db.dataSource(), "runbook", CutoverCallback.forMigration("17", cutover()).build()).load().migrate();

        AtomicInteger without = new AtomicInteger();
        AtomicInteger with = new AtomicInteger();
        MigrateResult alone = flyway(counting(db.dataSource(), without), "runbook").load().migrate();
        MigrateResult guarded = flyway(counting(db.dataSource(), with), "runbook",
                CutoverCallback.forMigration("17", cutover()).build()).load().migrate();

        assertThat(alone.migrationsExecuted).isZero();
        assertThat(guarded.migrationsExecuted).isZero();
        assertThat(without.get()).isPositive();
        assertThat(with.get()).as("statements of an up-to-date migrate with the callback, against %s without", without.get())
                .isEqualTo(without.get());
    }

    @Test
    void oneConnectionForEveryRunStillSeesACutoverAppliedBetweenRuns() throws Exception {
        try (Connection connection = db.dataSource().getConnection()) {
            DataSource single = single(connection);
            CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();
            Runbook.tablesWithThreeNullUsers(db, "runbook");
            db.execute("update \"user\" set organization_id = 1 where organization_id is null");
            // A run on this connection that reads the project while the cutover is pending...
            flyway(single, "runbook", callback).target("16").load().migrate();
            // ...then the cutover applied by another deployment, and a later migration that drops the NOT NULL.
            flyway(db.dataSource(), "runbook").load().migrate();

            Throwable refused = catchThrowable(() -> flyway(single, "runbook", callback)
                    .locations("classpath:dev/cutover/flyway/runbook", "classpath:dev/cutover/flyway/late/nontx").load().migrate());

            assertThat(cutoverFailure(refused).reason()).isEqualTo(CutoverMigrationException.Reason.GUARD_REFUSED);
            assertThat(isNullable(db)).isEqualTo("NO");
        }
    }

    /** The data source, counting every statement executed on its connections. */
    private static DataSource counting(DataSource target, AtomicInteger statements) {
        return (DataSource) proxy(target, DataSource.class, statements);
    }

    private static Object proxy(Object target, Class<?> type, AtomicInteger statements) {
        return Proxy.newProxyInstance(UpToDateStartTest.class.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            if (method.getName().startsWith("execute") && target instanceof Statement) {
                statements.incrementAndGet();
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result instanceof Connection c) {
                return proxy(c, Connection.class, statements);
            }
            if (result instanceof PreparedStatement s) {
                return proxy(s, PreparedStatement.class, statements);
            }
            if (result instanceof Statement s) {
                return proxy(s, Statement.class, statements);
            }
            return result;
        });
    }

    /** A data source that hands out this one connection every time and does not let it be closed. */
    private static DataSource single(Connection connection) {
        Connection unclosable = (Connection) Proxy.newProxyInstance(UpToDateStartTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (p, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (DataSource) Proxy.newProxyInstance(UpToDateStartTest.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, method, args) -> switch (method.getName()) {
                    case "getConnection" -> unclosable;
                    case "toString" -> "single connection";
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
