package dev.cutover.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * One small connection pool per database URL, shared by every target on it (a fleet of tenant
 * schemas uses one pool). Passwords come from the URL, {@code PGPASSWORD} or the password file,
 * never from a flag. Settings the library makes are transaction-local, so pooled connections
 * carry nothing from one target to the next.
 */
final class Connections implements AutoCloseable {

    /** Where a URL points, for output: no user, no password, no parameters. */
    record Address(String url, String host, int port, String database, Optional<String> user) {
        String display() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    private final Environment env;
    private final int poolSize;
    private final Optional<Duration> probeTimeout;
    private final Optional<String> stateSchema;
    private final Map<String, HikariDataSource> pools = new LinkedHashMap<>();
    private final Map<String, CutoverDatabase> databases = new LinkedHashMap<>();

    Connections(Environment env, int poolSize, Optional<Duration> probeTimeout, Optional<String> stateSchema) {
        this.env = env;
        this.poolSize = poolSize;
        this.probeTimeout = probeTimeout;
        this.stateSchema = stateSchema;
    }

    /** Checks a URL's form without connecting. */
    static Address parse(String url) {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw CliException.usage("The database URL must start with jdbc:postgresql:, e.g. "
                    + "jdbc:postgresql://db.internal:5432/app?user=cutover, but was " + shown(url));
        }
        Properties p = Driver.parseURL(url, null);
        if (p == null) {
            throw CliException.usage("The database URL " + shown(url) + " is malformed: write "
                    + "jdbc:postgresql://host:port/database?user=name");
        }
        String host = p.getProperty("PGHOST", "localhost").split(",")[0];
        int port = Integer.parseInt(p.getProperty("PGPORT", "5432").split(",")[0]);
        return new Address(url, host, port, p.getProperty("PGDBNAME", ""), Optional.ofNullable(p.getProperty("user")));
    }

    private static String shown(String url) {
        if (url == null) {
            return "nothing";
        }
        int q = url.indexOf('?');
        return "\"" + (q < 0 ? url : url.substring(0, q) + "?...") + "\"";
    }

    synchronized CutoverDatabase database(String url) {
        CutoverDatabase db = databases.get(url);
        if (db == null) {
            CutoverDatabase.Builder b = CutoverDatabase.builder(pool(url));
            probeTimeout.ifPresent(b::probeTimeout);
            stateSchema.ifPresent(b::stateSchema);
            db = b.build();
            databases.put(url, db);
        }
        return db;
    }

    /** A database over the given data source (a fleet worker's held connection), with this command's settings. */
    CutoverDatabase database(javax.sql.DataSource dataSource) {
        CutoverDatabase.Builder b = CutoverDatabase.builder(dataSource);
        probeTimeout.ifPresent(b::probeTimeout);
        stateSchema.ifPresent(b::stateSchema);
        return b.build();
    }

    synchronized HikariDataSource pool(String url) {
        HikariDataSource pool = pools.get(url);
        if (pool != null) {
            return pool;
        }
        Address address = parse(url);
        HikariConfig config = new HikariConfig();
        config.setPoolName("cutover " + address.display());
        config.setJdbcUrl(url);
        Properties p = Driver.parseURL(url, null);
        String user = address.user().or(() -> env.get("PGUSER")).orElse(System.getProperty("user.name"));
        config.setUsername(user);
        if (p.getProperty("password") == null) {
            env.get("PGPASSWORD").or(() -> PgPass.find(env.pgpass(), address.host(), address.port(), address.database(), user))
                    .ifPresent(config::setPassword);
        }
        config.setMaximumPoolSize(Math.max(2, poolSize));
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(1);
        config.addDataSourceProperty("ApplicationName", "cutover-cli");
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new CutoverDatabaseException("Could not connect to " + address.display() + " as " + user + ": "
                    + rootMessage(e) + ". Check the URL (--url or CUTOVER_URL), that the server is up, and the password "
                    + "(PGPASSWORD or ~/.pgpass).", sqlState(e), e);
        }
        pools.put(url, pool);
        return pool;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return null;
    }

    @Override
    public synchronized void close() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
        databases.clear();
    }
}
