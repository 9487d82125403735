package dev.cutover.testkit;

import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/** The only class that touches Flyway, so the rest of the testkit loads without it. */
final class FlywaySupport {

    static final String FLYWAY_CLASS = "org.flywaydb.core.Flyway";
    static final String POSTGRES_SUPPORT_CLASS = "org.flywaydb.database.postgresql.PostgreSQLDatabaseType";

    private FlywaySupport() {
    }

    static FluentConfiguration configure(DataSource dataSource, List<String> locations) {
        requireFlyway(present(FLYWAY_CLASS), present(POSTGRES_SUPPORT_CLASS));
        FluentConfiguration configuration = Flyway.configure().dataSource(dataSource);
        return locations.isEmpty() ? configuration : configuration.locations(locations.toArray(String[]::new));
    }

    /**
     * @throws IllegalStateException naming the artifact to add
     */
    static void requireFlyway(boolean flywayPresent, boolean postgresSupportPresent) {
        if (!flywayPresent) {
            throw new IllegalStateException("TestDatabase.flyway(...) needs Flyway on the test classpath: add the test "
                    + "dependencies org.flywaydb:flyway-core and org.flywaydb:flyway-database-postgresql, or run your "
                    + "migration SQL with TestDatabase.execute(sql).");
        }
        if (!postgresSupportPresent) {
            throw new IllegalStateException("TestDatabase.flyway(...) needs Flyway's PostgreSQL support on the test classpath "
                    + "(Flyway 10 and later ship it separately): add the test dependency org.flywaydb:flyway-database-postgresql.");
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, FlywaySupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
