package dev.cutover.core.internal;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ServerVersion;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engines need of a {@link CutoverDatabase} beyond its public API: the cutovers
 * checked against the catalog, and cutover's own tables. One per {@code CutoverDatabase};
 * reached with {@link #of(CutoverDatabase)}.
 */
public final class DatabaseHandle {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverDatabase.class);
    private static final int OLDEST_SUPPORTED = 12;
    private static final int NEWEST_TESTED = 18;

    private static volatile Function<CutoverDatabase, DatabaseHandle> access;

    private final DataSource dataSource;
    private final CutoverDatabase.Settings settings;
    private final ServerVersion version;
    private final Map<NotNullCutover, Target> targets = new ConcurrentHashMap<>();
    private final Map<String, Boolean> stateTables = new ConcurrentHashMap<>();

    private DatabaseHandle(DataSource dataSource, CutoverDatabase.Settings settings, ServerVersion version) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.version = version;
    }

    /**
     * Called once by {@link CutoverDatabase} when its class is initialised, so that the engines
     * can reach the handle of a database without a public accessor on it.
     */
    public static void install(Function<CutoverDatabase, DatabaseHandle> accessor) {
        Objects.requireNonNull(accessor, "accessor");
        synchronized (DatabaseHandle.class) {
            if (access != null) {
                throw new IllegalStateException("already installed");
            }
            access = accessor;
        }
    }

    /** The handle behind a database. */
    public static DatabaseHandle of(CutoverDatabase db) {
        Objects.requireNonNull(db, "db");
        // The database exists, so its class is initialised and the accessor installed.
        return access.apply(db);
    }

    /** Connects once: PostgreSQL 12 or later, or a clear refusal. */
    public static DatabaseHandle connect(DataSource dataSource, CutoverDatabase.Settings settings) {
        Jooq.quiet();
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            String product = meta.getDatabaseProductName();
            if (!"PostgreSQL".equalsIgnoreCase(product)) {
                throw new CutoverConfigurationException("cutover works with PostgreSQL only, but the data source is connected to "
                        + product + " " + meta.getDatabaseProductVersion() + ". Give CutoverDatabase a PostgreSQL DataSource.");
            }
            int number;
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("select current_setting('server_version_num')::int")) {
                rs.next();
                number = rs.getInt(1);
            }
            ServerVersion version = new ServerVersion(number);
            if (version.major() < OLDEST_SUPPORTED) {
                throw new CutoverConfigurationException("PostgreSQL " + version + " is not supported: cutover needs PostgreSQL "
                        + OLDEST_SUPPORTED + " to " + NEWEST_TESTED + ".");
            }
            if (version.major() > NEWEST_TESTED) {
                LOG.atWarn().addKeyValue("version", version)
                        .log("PostgreSQL {} is newer than the newest version cutover is tested with ({})", version, NEWEST_TESTED);
            }
            return new DatabaseHandle(dataSource, settings, version);
        } catch (SQLException e) {
            throw new CutoverDatabaseException("Could not connect to the database (SQLSTATE " + e.getSQLState() + "): "
                    + e.getMessage(), e.getSQLState(), e);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public CutoverDatabase.Settings settings() {
        return settings;
    }

    public ServerVersion serverVersion() {
        return version;
    }

    /** A transaction with the probe timeout as its {@code statement_timeout}. */
    public <T> T read(String what, Sql.Work<T> work) {
        return Sql.inTransaction(dataSource, Sql.Timeouts.statement(settings.probeTimeout()), what, work);
    }

    /**
     * The cutover checked against the catalog, once per cutover.
     *
     * @throws CutoverConfigurationException naming what does not exist
     */
    public Target target(NotNullCutover cutover) {
        Target known = targets.get(cutover);
        if (known != null) {
            return known;
        }
        Target resolved = read("read the catalog for " + cutover.subject(), dsl -> Catalog.resolve(dsl, cutover));
        targets.putIfAbsent(cutover, resolved);
        return resolved;
    }

    /** The schema that holds cutover's own tables for this cutover. */
    public String stateSchema(NotNullCutover cutover) {
        return settings.stateSchema().orElse(cutover.schema());
    }

    /**
     * Creates one of cutover's own tables if the catalog does not show it, once per JVM and
     * schema; runs no DDL when it exists.
     *
     * @param ddl creates the table with {@code if not exists}; gets the schema name
     */
    public void ensureStateTable(String schema, String table, BiConsumer<DSLContext, String> ddl) {
        String key = schema + "\0" + table;
        if (stateTables.containsKey(key)) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                Sql.inTransaction(dataSource, stateTimeouts(), "create " + Identifiers.display(schema, table), dsl -> {
                    // The catalog first: a table created ahead by the migration role needs no DDL rights at run time.
                    if (dsl.fetchOne("""
                            select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                            where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p')""", schema, table) != null) {
                        return null;
                    }
                    if (dsl.fetchOne("select 1 from pg_catalog.pg_namespace where nspname = ?", schema) == null) {
                        dsl.createSchemaIfNotExists(DSL.name(schema)).execute();
                    }
                    ddl.accept(dsl, schema);
                    return null;
                });
                stateTables.put(key, Boolean.TRUE);
                return;
            } catch (CutoverDatabaseException e) {
                // Two sessions creating the same table at once: one loses with a unique violation; the table exists.
                boolean race = e.sqlState().filter(s -> s.equals("23505") || s.equals("42P07")).isPresent();
                if (!race || attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * The statement timeout of work on cutover's own tables (their DDL, the shared latch): the probe timeout,
     * but at least 10 seconds (a short probe timeout is for reading the watched table).
     */
    public Sql.Timeouts stateTimeouts() {
        java.time.Duration floor = java.time.Duration.ofSeconds(10);
        return Sql.Timeouts.statement(settings.probeTimeout().compareTo(floor) < 0 ? floor : settings.probeTimeout());
    }

    /** Forgets that a state table exists, after it was found missing. */
    public void forgetStateTable(String schema, String table) {
        stateTables.remove(schema + "\0" + table);
    }
}
