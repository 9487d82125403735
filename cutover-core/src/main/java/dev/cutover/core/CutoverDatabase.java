package dev.cutover.core;

import dev.cutover.core.internal.PostgresCutoverDatabase;
import dev.cutover.core.verify.VerificationReport;
import java.time.Duration;
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
 * }</pre>
 */
public interface CutoverDatabase {

    /** With default settings. */
    static CutoverDatabase of(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /** Starts a configured database. */
    static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** Counts, tests for and samples the NULL rows of a cutover. */
    NullProbe probe(NotNullCutover cutover);

    /**
     * Checks the result of the migration against the catalog: the column is NOT NULL and the
     * constraint enforcing it is validated; the foreign key, when expected, exists, is
     * validated, references the configured table and column, and has the configured
     * ON DELETE action. Reads no table data.
     */
    VerificationReport verify(NotNullCutover cutover);

    /** The server's version, read when this object was built. */
    ServerVersion serverVersion();

    /** The data source given. */
    DataSource dataSource();

    /** The settings this database was built with. */
    Settings settings();

    /**
     * Settings of a {@link CutoverDatabase}.
     *
     * @param probeTimeout {@code statement_timeout} for probes and checks
     * @param stateSchema  schema of the {@code cutover_*} tables; empty means each target's own schema
     */
    record Settings(Duration probeTimeout, Optional<String> stateSchema) {
        public Settings {
            Objects.requireNonNull(probeTimeout, "probeTimeout");
            Objects.requireNonNull(stateSchema, "stateSchema");
        }
    }

    /** Builds a {@link CutoverDatabase}; setters check their arguments at once. */
    final class Builder {
        private final DataSource dataSource;
        private Duration probeTimeout = Duration.ofSeconds(30);
        private String stateSchema;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** {@code statement_timeout} for probes and checks, so monitoring never hurts production; default 30 s. */
        public Builder probeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "probeTimeout");
            if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() < 1) {
                throw new CutoverConfigurationException("probeTimeout must be at least 1 ms, but was " + timeout);
            }
            if (timeout.toMillis() > Integer.MAX_VALUE) {
                throw new CutoverConfigurationException("probeTimeout must be at most " + Integer.MAX_VALUE + " ms, but was " + timeout);
            }
            this.probeTimeout = timeout;
            return this;
        }

        /** Keeps cutover's own tables ({@code cutover_observation}, ...) in this schema, created if missing. */
        public Builder stateSchema(String schema) {
            this.stateSchema = dev.cutover.core.internal.Identifiers.require("stateSchema", schema);
            return this;
        }

        /**
         * Connects once to check that this is PostgreSQL 12 or later and to read its version.
         *
         * @throws CutoverConfigurationException when the database is not PostgreSQL or too old
         */
        public CutoverDatabase build() {
            return PostgresCutoverDatabase.connect(dataSource, new Settings(probeTimeout, Optional.ofNullable(stateSchema)));
        }
    }
}
