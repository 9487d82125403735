package dev.cutover.testkit;

import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives a Spring application context a fresh PostgreSQL database of its own, from the same
 * provider chain as {@link CutoverTest} (an explicit JDBC URL, else Testcontainers, else
 * embedded PostgreSQL): {@code spring.datasource.url}, {@code .username} and {@code .password}
 * name it, ahead of every other property source, so the application's {@code DataSource},
 * Flyway and everything else use it. The {@link TestDatabase} is a bean too, and the database
 * is dropped when the context closes. Needs {@code spring-context} on the class path, which
 * every Spring application has; the testkit does not bring it.
 *
 * <pre>{@code
 * @SpringBootTest
 * @ContextConfiguration(initializers = CutoverTestDatabaseInitializer.class)
 * class SignupApplicationTest {
 *     @Autowired TestDatabase db;
 *     ...
 * }
 * }</pre>
 *
 * To start an application against a database a test prepared first (with {@link CutoverTest}),
 * pass {@link #properties(TestDatabase)} instead:
 * {@code new SpringApplicationBuilder(App.class).properties(CutoverTestDatabaseInitializer.properties(db)).run()}.
 */
public final class CutoverTestDatabaseInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** Name of the property source holding the database's properties, and of the {@link TestDatabase} bean. */
    public static final String NAME = "cutoverTestDatabase";

    private static final Logger LOG = LoggerFactory.getLogger(CutoverTestDatabaseInitializer.class);

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        PostgresServer server = PostgresServers.shared();
        ScratchDatabase scratch = server.createDatabase();
        TestDatabase db = new DefaultTestDatabase(server, scratch, List.of());
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource(NAME, properties(db)));
        context.getBeanFactory().registerSingleton(NAME, db);
        context.addApplicationListener(new DropOnClose(context, scratch));
        LOG.atDebug().addKeyValue("database", scratch.name()).log("Application context gets test database {}", scratch.name());
    }

    /**
     * The Spring Boot properties that make an application use this database as its
     * {@code DataSource}: {@code spring.datasource.url}, {@code .username} and, when the
     * server needs one, {@code .password}.
     */
    public static Map<String, Object> properties(TestDatabase db) {
        Objects.requireNonNull(db, "db");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", db.jdbcUrl());
        if (db.user() != null) {
            properties.put("spring.datasource.username", db.user());
        }
        if (db instanceof DefaultTestDatabase known && known.scratch().password() != null) {
            properties.put("spring.datasource.password", known.scratch().password());
        }
        return properties;
    }

    /** Drops the database when its own context (not a child's) closes. */
    private record DropOnClose(ConfigurableApplicationContext context, ScratchDatabase scratch)
            implements ApplicationListener<ContextClosedEvent> {

        @Override
        public void onApplicationEvent(ContextClosedEvent event) {
            if (event.getApplicationContext() != context) {
                return;
            }
            try {
                scratch.close();
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("database", scratch.name())
                        .log("Could not drop test database {} when its application context closed: {}", scratch.name(),
                                e.getMessage());
            }
        }
    }
}
