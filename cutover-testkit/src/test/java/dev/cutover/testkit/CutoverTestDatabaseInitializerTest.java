package dev.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.GenericApplicationContext;

class CutoverTestDatabaseInitializerTest {

    @Test
    void theContextGetsAFreshDatabaseAsItsDataSourceAndItIsDroppedOnClose() throws SQLException {
        GenericApplicationContext context = new GenericApplicationContext();
        new CutoverTestDatabaseInitializer().initialize(context);
        context.refresh();

        TestDatabase db = context.getBean(TestDatabase.class);
        String url = context.getEnvironment().getProperty("spring.datasource.url");
        assertThat(url).isEqualTo(db.jdbcUrl());
        assertThat(context.getEnvironment().getProperty("spring.datasource.username")).isEqualTo(db.user());
        assertThat(context.getEnvironment().getPropertySources().iterator().next().getName())
                .isEqualTo(CutoverTestDatabaseInitializer.NAME);
        db.execute("create table t (id int)");
        assertThat(db.queryForLong("select count(*) from t")).isZero();
        assertThat(db.queryForString("select current_database()")).isEqualTo(db.name());

        context.close();

        try (ScratchDatabase other = PostgresServers.shared().createDatabase();
             Connection c = other.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_database where datname = '" + db.name() + "'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("dropped when the context closed").isZero();
        }
    }

    @Test
    void propertiesNameTheDatabaseForSpringBoot() throws SQLException {
        GenericApplicationContext context = new GenericApplicationContext();
        new CutoverTestDatabaseInitializer().initialize(context);
        context.refresh();
        try (context) {
            TestDatabase db = context.getBean(TestDatabase.class);
            var properties = CutoverTestDatabaseInitializer.properties(db);
            assertThat(properties).containsEntry("spring.datasource.url", db.jdbcUrl())
                    .containsEntry("spring.datasource.username", db.user());
            String password = (String) properties.get("spring.datasource.password");
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), password)) {
                assertThat(c.isValid(5)).isTrue();
            }
        }
    }
}
