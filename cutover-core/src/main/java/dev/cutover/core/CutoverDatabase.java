package dev.cutover.core;

import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.catalog.TableState;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Durations;
import dev.cutover.core.verify.Verification;
import dev.cutover.core.verify.VerificationReport;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The database a cutover runs against. PostgreSQL 12 to 18 only; {@link #of(DataSource)}
 * checks the product and reads the server version, and each cutover's table, column, key and
 * referenced table are checked against the catalog on first use.
 *
 * <pre>{@code
 * CutoverDatabase db = CutoverDatabase.of(dataSource);
 * long nulls = db.probe(cutover).count();
 * VerificationReport report = db.verify(cutover);
 *
 * CutoverDatabase tuned = CutoverDatabase.builder(dataSource)
 *     .probeTimeout(Duration.ofSeconds(5))   // statement_timeout for probes, default 30 s
 *     .stateSchema("cutover")                // where cutover_* tables live, default the target's schema
 *     .build();
 *
 * // the catalog, read-only
 * ColumnState column = db.column("public", "user", "organization_id").orElseThrow();
 * Optional<ForeignKey> fk = db.foreignKey("public", "user", "user_organization_id_fkey");
 * }</pre>
 *
 * <p>Every setting a statement needs ({@code statement_timeout}, {@code lock_timeout},
 * {@code application_name}) is set for its own transaction only, so a {@code CutoverDatabase}
 * is safe on any pool and behind PgBouncer in transaction mode. Thread-safe.
 */
public final class CutoverDatabase {

    static {
        DatabaseHandle.install(db -> db.handle);
    }

    private final DatabaseHandle handle;

    private CutoverDatabase(DatabaseHandle handle) {
        this.handle = handle;
    }

    /** With default settings. */
    public static CutoverDatabase of(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /** Starts a configured database. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** Counts, tests for and samples the NULL rows of a cutover. */
    public NullProbe probe(NotNullCutover cutover) {
        return new PostgresNullProbe(handle, handle.target(cutover));
    }

    /**
     * Checks the result of the migration against the catalog: the column is NOT NULL and the
     * constraint enforcing it is validated; the foreign key, when expected, exists, is
     * validated, references the configured table and column, and has the configured
     * ON DELETE action. Reads no table data.
     */
    public VerificationReport verify(NotNullCutover cutover) {
        return Verification.of(this, cutover);
    }

    /** The server's version, read when this object was built. */
    public ServerVersion serverVersion() {
        return handle.serverVersion();
    }

    /** The data source given. */
    public DataSource dataSource() {
        return handle.dataSource();
    }

    /** The settings this database was built with. */
    public Settings settings() {
        return handle.settings();
    }

    /**
     * The table as the catalog shows it now, or empty when there is no such table.
     *
     * @throws CutoverConfigurationException for a name PostgreSQL could not hold
     */
    public Optional<TableState> table(String schema, String table) {
        Names.require("schema", schema);
        Names.require("table", table);
        return handle.read("read table " + Names.display(schema, table) + " from the catalog",
                dsl -> Catalog.tableState(dsl, schema, table));
    }

    /**
     * The column's nullability, the constraints that enforce it and the table's foreign keys,
     * as the catalog shows them now; empty when the table or the column does not exist.
     *
     * @throws CutoverConfigurationException for a name PostgreSQL could not hold
     */
    public Optional<ColumnState> column(String schema, String table, String column) {
        Names.require("schema", schema);
        Names.require("table", table);
        Names.require("column", column);
        return handle.read("read column " + Names.display(schema, table) + "." + Names.display(column) + " from the catalog",
                dsl -> Catalog.columnState(dsl, schema, table, column));
    }

    /**
     * The foreign key of this name on this table, or empty when it has none of that name.
     *
     * @throws CutoverConfigurationException for a name PostgreSQL could not hold
     */
    public Optional<ForeignKey> foreignKey(String schema, String table, String name) {
        Names.require("schema", schema);
        Names.require("table", table);
        return foreignKeys(schema, table, name).stream().findFirst();
    }

    /**
     * Every foreign key of this name in the non-system schemas (names are unique per table
     * only), ordered by schema and table; {@code schema} and {@code table} narrow the search
     * when not {@code null}.
     *
     * @throws CutoverConfigurationException for a name PostgreSQL could not hold
     */
    public List<ForeignKey> foreignKeys(String schema, String table, String name) {
        Names.require("foreign key name", name);
        return handle.read("read foreign key " + Names.display(name) + " from the catalog",
                dsl -> Catalog.foreignKeys(dsl, schema, table, name));
    }

    /**
     * Settings of a {@link CutoverDatabase}.
     *
     * @param probeTimeout {@code statement_timeout} for probes and checks
     * @param stateSchema  schema of the {@code cutover_*} tables; empty means each target's own schema
     */
    public record Settings(Duration probeTimeout, Optional<String> stateSchema) {
        public Settings {
            Objects.requireNonNull(probeTimeout, "probeTimeout");
            Objects.requireNonNull(stateSchema, "stateSchema");
        }
    }

    /** Builds a {@link CutoverDatabase}; setters check their arguments at once. */
    public static final class Builder {
        private final DataSource dataSource;
        private Duration probeTimeout = Duration.ofSeconds(30);
        private String stateSchema;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** {@code statement_timeout} for probes and checks, so monitoring never hurts production; default 30 s. */
        public Builder probeTimeout(Duration timeout) {
            this.probeTimeout = Durations.require("probeTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(24));
            return this;
        }

        /** Keeps cutover's own tables ({@code cutover_observation}, ...) in this schema, created if missing. */
        public Builder stateSchema(String schema) {
            this.stateSchema = Names.require("stateSchema", schema);
            return this;
        }

        /**
         * Connects once to check that this is PostgreSQL 12 or later and to read its version.
         *
         * @throws CutoverConfigurationException when the database is not PostgreSQL or too old
         */
        public CutoverDatabase build() {
            return new CutoverDatabase(DatabaseHandle.connect(dataSource, new Settings(probeTimeout, Optional.ofNullable(stateSchema))));
        }
    }

    @Override
    public String toString() {
        return "CutoverDatabase[PostgreSQL " + handle.serverVersion() + "]";
    }
}
