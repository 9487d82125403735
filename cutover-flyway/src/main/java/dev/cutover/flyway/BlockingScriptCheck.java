package dev.cutover.flyway;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.NotNullConstraint;
import dev.cutover.core.migrate.FlywayFile;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.flyway.internal.BlockingStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before the cutover migration runs, refuses a SQL script that would read the whole table while
 * holding a lock that stops its writers ({@code SET NOT NULL}, a validating {@code ADD FOREIGN
 * KEY} or {@code CHECK}), when the table is larger than the limit. The refusal names the script
 * and prints its replacement: {@code MigrationPlan#flywayFiles} for the same version and name.
 *
 * <p>Refusing, rather than preparing the table on a second connection so that the script's DDL
 * becomes cheap, because only {@code SET NOT NULL} can be made cheap that way (a valid CHECK lets
 * it skip its scan): PostgreSQL validates an {@code ADD FOREIGN KEY} written without
 * {@code NOT VALID} by reading every row whatever exists already, and a script that runs in
 * Flyway's transaction keeps every lock it took, with no {@code lock_timeout}, until the commit.
 */
final class BlockingScriptCheck {

    /** Tables up to this size (1 MiB, a few thousand rows) are read in milliseconds: their scripts run as written. */
    static final long DEFAULT_LIMIT_BYTES = 1L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(CutoverCallback.class);

    private final NotNullCutover cutover;
    private final long limitBytes;

    BlockingScriptCheck(NotNullCutover cutover, long limitBytes) {
        this.cutover = cutover;
        this.limitBytes = limitBytes;
    }

    /** Throws when the cutover migration's script would stop the writers of a table above the limit; reads the catalog only. */
    void refuseIfBlocking(MigrationInfo info, Context context, CutoverDatabase db) {
        String script = info.getScript();
        Configuration configuration = context.getConfiguration();
        if (script == null || !isSql(script, configuration)) {
            return;
        }
        String migration = CutoverCallback.name(info);
        Optional<String> text = RollbackGuard.scriptText(info, configuration);
        if (text.isEmpty()) {
            throw new CutoverMigrationException(CutoverMigrationException.Reason.BLOCKING_SCRIPT, migration, "Migration "
                    + migration + " refused before it ran: its script " + script + " could not be read to check that it does "
                    + "not stop the writers of " + cutover.qualifiedTable() + ". Put the migration on the class path or the file "
                    + "system (classpath: or filesystem: locations), then re-run.");
        }
        boolean transactional = inTransaction(context.getConnection());
        Optional<ColumnState> column = db.column(cutover.schema(), cutover.table(), cutover.column());
        boolean proved = column.map(c -> c.notNull() || c.notNullConstraints().stream()
                .anyMatch(k -> k.check() && k.validated())).orElse(false);
        List<String> blocking = BlockingStatements.find(text.get(), cutover.schema(), cutover.table(), cutover.column(), proved,
                transactional);
        if (blocking.isEmpty()) {
            return;
        }
        long size = tableBytes(context.getConnection());
        if (size <= limitBytes) {
            LOG.atInfo().addKeyValue("migration", migration).addKeyValue("target", cutover.subject())
                    .log("Migration {} reads {} under locks that stop its writers ({}), but the table holds only {} bytes",
                            migration, cutover.qualifiedTable(), String.join("; ", blocking), size);
            return;
        }
        throw new CutoverMigrationException(CutoverMigrationException.Reason.BLOCKING_SCRIPT, migration,
                message(info, migration, script, transactional, blocking, size, db));
    }

    private String message(MigrationInfo info, String migration, String script, boolean transactional, List<String> blocking,
                           long size, CutoverDatabase db) {
        String file = script.substring(Math.max(script.lastIndexOf('/'), script.lastIndexOf('\\')) + 1);
        String version = info.getVersion() != null ? info.getVersion().getVersion() : null;
        StringBuilder s = new StringBuilder("Migration ").append(migration).append(" (").append(file)
                .append(") refused before it took any lock: ").append(cutover.qualifiedTable()).append(" holds ")
                .append(size / (1024 * 1024)).append(" MiB, and ").append(String.join("; ", blocking))
                .append(transactional ? ", all in one transaction that keeps its locks to the end," : ",")
                .append(" with no lock_timeout: the table's writers would wait for every scan, and all its queries for any long"
                        + " transaction ahead of the migration. Nothing was changed.");
        String description = file.contains("__") ? file.substring(file.indexOf("__") + 2).replaceFirst("\\.[^.]*$", "")
                .replaceAll("[^A-Za-z0-9_-]", "_") : "";
        if (version == null || description.isEmpty() || !Character.isLetterOrDigit(description.charAt(0))) {
            return s.append(" Make it a versioned migration that runs the zero-downtime sequence (a NotNullCutoverMigration "
                    + "subclass, or the files `cutover plan --flyway-dir DIR --version V` writes), then re-run.").toString();
        }
        List<FlywayFile> files;
        try {
            files = NotNullMigration.builder(db, cutover).build().plan().flywayFiles(version, description);
        } catch (CutoverException e) {
            return s.append(" Replace it with the zero-downtime sequence (a NotNullCutoverMigration subclass, or `cutover plan "
                    + "--flyway-dir DIR --version ").append(version).append("`), once this is resolved: ").append(e.getMessage())
                    .toString();
        }
        s.append(" Replace ").append(file).append(" with these two files: the same change as short steps, each with lock_timeout "
                + "and retried while the table is busy, outside a transaction (or with a NotNullCutoverMigration subclass of "
                + "version ").append(version).append("), then re-run.");
        for (FlywayFile f : files) {
            s.append("\n\n----- ").append(f.name()).append(" -----\n").append(f.content());
        }
        return s.toString();
    }

    private long tableBytes(Connection connection) {
        // pg_partition_tree lists the partitions of a partitioned table, and nothing for a plain one.
        String sql = "select pg_relation_size(c.oid) + coalesce((select sum(pg_relation_size(t.relid)) "
                + "from pg_partition_tree(c.oid) t where t.relid <> c.oid), 0) "
                + "from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and c.relname = ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, cutover.schema());
            ps.setString(2, cutover.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new CutoverMigrationException(CutoverMigrationException.Reason.BLOCKING_SCRIPT, cutover.subject(),
                    "Could not read the size of " + cutover.qualifiedTable() + " to check the cutover migration: " + e.getMessage());
        }
    }

    private static boolean inTransaction(Connection connection) {
        try {
            return !connection.getAutoCommit();
        } catch (SQLException e) {
            return true;
        }
    }

    private static boolean isSql(String script, Configuration configuration) {
        for (String suffix : configuration.getSqlMigrationSuffixes()) {
            if (script.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }
}
