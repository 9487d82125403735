package dev.cutover.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Looks at the rows whose column is still NULL. Every query runs with the database's probe
 * {@code statement_timeout} (default 30 s), so monitoring never holds production up.
 *
 * <pre>{@code
 * NullProbe probe = db.probe(cutover);
 * long nulls = probe.count();                  // runbook: SELECT count(*) ... WHERE organization_id IS NULL
 * boolean any = probe.exists();                // stops at the first NULL row
 * List<NullRow> rows = probe.sample(200);      // newest first, sensitive columns masked
 * if (probe.nullIndex().isEmpty()) {
 *     probe.createNullIndex();                 // CREATE INDEX CONCURRENTLY ... WHERE organization_id IS NULL
 * }
 * }</pre>
 */
public sealed interface NullProbe permits PostgresNullProbe {

    /**
     * The number of NULL rows. Zero without reading the table when the catalog shows a
     * validated NOT NULL.
     *
     * @throws CutoverDatabaseException when the count fails, e.g. on statement timeout ({@code 57014})
     */
    long count();

    /** Whether any NULL row exists; reads at most one row, none when the catalog shows a validated NOT NULL. */
    boolean exists();

    /**
     * Up to {@code limit} NULL rows, newest first, with the key and the {@code inspect}
     * columns; {@code sensitive} columns are masked.
     */
    List<NullRow> sample(int limit);

    /** The name of a valid partial index {@code WHERE column IS NULL} on the table, if there is one. */
    Optional<String> nullIndex();

    /**
     * Creates the partial index {@code WHERE column IS NULL} with {@code CREATE INDEX
     * CONCURRENTLY}, outside any transaction, so reads and writes go on. Does nothing when a
     * valid one exists; replaces an invalid one left by an interrupted build.
     *
     * @return the index name
     */
    String createNullIndex();

    /** As {@link #createNullIndex()}, bounded by this {@code statement_timeout} (default one hour). */
    String createNullIndex(Duration timeout);
}
