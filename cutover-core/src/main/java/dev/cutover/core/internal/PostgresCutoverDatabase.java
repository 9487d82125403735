package dev.cutover.core.internal;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.NullProbe;
import dev.cutover.core.ServerVersion;
import dev.cutover.core.verify.VerificationReport;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The PostgreSQL implementation behind {@link CutoverDatabase}. Not for direct use. */
public final class PostgresCutoverDatabase implements CutoverDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverDatabase.class);
    private static final int OLDEST_SUPPORTED = 12;
    private static final int NEWEST_TESTED = 18;

    private final DataSource dataSource;
    private final Settings settings;
    private final ServerVersion version;
    private final Map<NotNullCutover, Target> targets = new ConcurrentHashMap<>();
    private final Map<String, Boolean> stateTables = new ConcurrentHashMap<>();

    private PostgresCutoverDatabase(DataSource dataSource, Settings settings, ServerVersion version) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.version = version;
    }

    /** Connects once: PostgreSQL 12 or later, or a clear refusal. */
    public static PostgresCutoverDatabase connect(DataSource dataSource, Settings settings) {
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
            return new PostgresCutoverDatabase(dataSource, settings, version);
        } catch (SQLException e) {
            throw new CutoverDatabaseException("Could not connect to the database (SQLSTATE " + e.getSQLState() + "): "
                    + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** The implementation behind a {@link CutoverDatabase} made by {@link CutoverDatabase#of}. */
    public static PostgresCutoverDatabase of(CutoverDatabase db) {
        if (db instanceof PostgresCutoverDatabase postgres) {
            return postgres;
        }
        throw new CutoverConfigurationException("Expected a CutoverDatabase made by CutoverDatabase.of(dataSource), but got "
                + db.getClass().getName());
    }

    @Override
    public NullProbe probe(NotNullCutover cutover) {
        return new PostgresNullProbe(this, target(cutover));
    }

    @Override
    public VerificationReport verify(NotNullCutover cutover) {
        Target target = target(cutover);
        return Sql.inTransaction(dataSource, settings.probeTimeout(), "verify " + cutover.subject(),
                dsl -> Verifier.verify(dsl, target, version));
    }

    @Override
    public ServerVersion serverVersion() {
        return version;
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public Settings settings() {
        return settings;
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
        Target resolved = Sql.inTransaction(dataSource, settings.probeTimeout(), "read the catalog for " + cutover.subject(),
                dsl -> Catalog.resolve(dsl, cutover));
        targets.putIfAbsent(cutover, resolved);
        return resolved;
    }

    /** The schema that holds cutover's own tables for this cutover. */
    public String stateSchema(NotNullCutover cutover) {
        return settings.stateSchema().orElse(cutover.schema());
    }

    /**
     * Creates one of cutover's own tables if it is missing, once per JVM and schema.
     *
     * @param ddl creates the table with {@code if not exists}; gets the schema name
     */
    public void ensureStateTable(String schema, String table, java.util.function.BiConsumer<DSLContext, String> ddl) {
        String key = schema + "\0" + table;
        if (stateTables.containsKey(key)) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                Sql.inTransaction(dataSource, settings.probeTimeout(), "create " + Identifiers.display(schema, table), dsl -> {
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

    @Override
    public String toString() {
        return "CutoverDatabase[PostgreSQL " + version + "]";
    }
}
