package dev.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.testing.TestDatabase;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CutoverDatabaseTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> {
        d.runbookSchema();
        d.execute("""
                create table no_key (id bigint, v int);
                create view user_view as select * from "user";
                """);
        db = d.cutoverDatabase();
    });
    static CutoverDatabase db;

    @Test
    void readsTheServerVersion() {
        assertThat(db.serverVersion().major()).isEqualTo(database.majorVersion());
        assertThat(db.settings().probeTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesAnotherProduct() {
        assertThatThrownBy(() -> CutoverDatabase.of(dataSourceOf("MySQL", "8.0.36")))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("cutover works with PostgreSQL only, but the data source is connected to MySQL 8.0.36. "
                        + "Give CutoverDatabase a PostgreSQL DataSource.");
    }

    @Test
    void probeTimeoutIsChecked() {
        assertThatThrownBy(() -> CutoverDatabase.builder(database.dataSource()).probeTimeout(Duration.ZERO))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("probeTimeout must be between 1ms and 24h, but was 0s");
    }

    @Test
    void missingTable() {
        assertThatThrownBy(() -> db.probe(NotNullCutover.builder("users", "organization_id").build()))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Table public.users does not exist (cutover of public.users.organization_id). Names are "
                        + "case-sensitive and used exactly as given; check the schema and table name.");
    }

    @Test
    void missingColumn() {
        assertThatThrownBy(() -> db.probe(NotNullCutover.builder("user", "org_id").build()))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Column org_id does not exist in public.\"user\"; its columns are: id, email, created_at, organization_id");
    }

    @Test
    void missingKeyColumn() {
        assertThatThrownBy(() -> db.probe(NotNullCutover.builder("user", "organization_id").key("uuid").build()))
                .hasMessage("Key column uuid does not exist in public.\"user\"; its columns are: id, email, created_at, organization_id");
    }

    @Test
    void tableWithoutPrimaryKeyNeedsAKey() {
        assertThatThrownBy(() -> db.probe(NotNullCutover.builder("no_key", "v").build()))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("public.no_key has no primary key: name the columns that identify a row with "
                        + "NotNullCutover.builder(...).key(...)");
        assertThat(db.probe(NotNullCutover.builder("no_key", "v").key("id").build()).count()).isZero();
    }

    @Test
    void missingReferencedTable() {
        assertThatThrownBy(() -> db.verify(NotNullCutover.builder("user", "organization_id").references("orgs", "id").build()))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Referenced table public.orgs does not exist (cutover of public.\"user\".organization_id). Names are "
                        + "case-sensitive and used exactly as given; check the schema and table name.");
    }

    @Test
    void missingReferencedColumn() {
        assertThatThrownBy(() -> db.verify(NotNullCutover.builder("user", "organization_id").references("organizations", "uuid").build()))
                .hasMessage("Referenced column uuid does not exist in public.organizations; its columns are: id, name, domain");
    }

    @Test
    void missingInspectColumn() {
        assertThatThrownBy(() -> db.probe(NotNullCutover.builder("user", "organization_id").inspect("id", "name").build()))
                .hasMessage("Inspect column name does not exist in public.\"user\"; its columns are: id, email, created_at, organization_id");
    }

    @Test
    void aViewIsNotATable() {
        assertThatThrownBy(() -> db.probe(NotNullCutover.builder("user_view", "organization_id").key("id").build()))
                .hasMessage("public.user_view is not a table (relkind 'v'): a NOT NULL cutover needs an ordinary or partitioned table");
    }

    @Test
    void namesAreCaseSensitive() {
        assertThatThrownBy(() -> db.probe(NotNullCutover.builder("User", "organization_id").build()))
                .hasMessageStartingWith("Table public.\"User\" does not exist");
    }

    /** A data source whose connections describe another product; no SQL runs through it. */
    private static DataSource dataSourceOf(String product, String version) {
        DatabaseMetaData meta = (DatabaseMetaData) Proxy.newProxyInstance(CutoverDatabaseTest.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getDatabaseProductName" -> product;
                    case "getDatabaseProductVersion" -> version;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Connection connection = (Connection) Proxy.newProxyInstance(CutoverDatabaseTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getMetaData" -> meta;
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new DataSource() {
            @Override
            public Connection getConnection() {
                return connection;
            }

            @Override
            public Connection getConnection(String user, String password) {
                return connection;
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(PrintWriter out) {
            }

            @Override
            public void setLoginTimeout(int seconds) {
            }

            @Override
            public int getLoginTimeout() {
                return 0;
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getGlobal();
            }

            @Override
            public <T> T unwrap(Class<T> iface) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isWrapperFor(Class<?> iface) {
                return false;
            }
        };
    }
}
