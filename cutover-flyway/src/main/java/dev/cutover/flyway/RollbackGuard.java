package dev.cutover.flyway;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.catalog.NotNullConstraint;
import dev.cutover.core.catalog.NotNullState;
import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import dev.cutover.flyway.CutoverCallback.IncidentOverride;
import dev.cutover.flyway.internal.AuditLog;
import dev.cutover.flyway.internal.DropStatements;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard of an applied cutover: before each other migration (whatever its version, order or
 * transactionality, undo included) it refuses when the validated NOT NULL is already gone, or
 * when the migration's SQL would take it away; after it, it refuses (or, under an incident
 * override, audits) a migration that took it away.
 */
final class RollbackGuard {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverCallback.class);
    private static final String OVERRIDE_HINT = "If it is intended, configure an incident override (incidentOverride(\"INC-...\", "
            + "\"reason\"), or cutover.incident.id and cutover.incident.reason) and re-run; the override is recorded in cutover_audit.";

    private static final Set<String> GUARDED_CHECKS = Set.of(VerificationCheck.COLUMN_NOT_NULL, VerificationCheck.CONSTRAINT_VALIDATED,
            VerificationCheck.FK_EXISTS, VerificationCheck.FK_VALIDATED);

    private final NotNullCutover cutover;
    private final IncidentOverride incidentOverride;
    private final String auditSchema;
    private final Map<Connection, Boolean> guardedBefore = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Map<Connection, String> enforcedBefore = Collections.synchronizedMap(new IdentityHashMap<>());

    RollbackGuard(NotNullCutover cutover, IncidentOverride incidentOverride, String auditSchema) {
        this.cutover = cutover;
        this.incidentOverride = incidentOverride;
        this.auditSchema = auditSchema;
    }

    void before(MigrationInfo info, Context context, CutoverDatabase db) {
        String migration = CutoverCallback.name(info);
        String lost = lostBy(db);
        if (lost != null) {
            guardedBefore.remove(context.getConnection());
            if (incidentOverride == null) {
                throw refused(migration, "Migration " + migration + " refused before it ran: the cutover migration is applied, but "
                        + cutover.subject() + " has lost its validated NOT NULL already (" + lost + "), so no migration runs on "
                        + "top of it. Restore the NOT NULL (run the NotNullMigration of " + cutover.subject() + ", or a "
                        + "migration that does) and re-run; an earlier migration or a manual change took it away.");
            }
            LOG.atWarn().addKeyValue("migration", migration).addKeyValue("incident", incidentOverride.incident())
                    .log("Migration {} runs although {} has lost its validated NOT NULL ({}), under incident {}", migration,
                            cutover.subject(), lost, incidentOverride.incident());
            return;
        }
        List<String> drops = drops(info, context.getConfiguration(), db);
        if (!drops.isEmpty() && incidentOverride == null) {
            throw refused(migration, "Migration " + migration + " refused before it ran: its script " + info.getScript()
                    + " would take the validated NOT NULL away from " + cutover.subject() + " (" + String.join("; ", drops)
                    + "). Dropping NOT NULL is a data-integrity regression and needs incident-level review (see the runbook's "
                    + "abort / rollback guidance). " + OVERRIDE_HINT);
        }
        guardedBefore.put(context.getConnection(), Boolean.TRUE);
    }

    void after(MigrationInfo info, Context context, CutoverDatabase db) {
        if (!Boolean.TRUE.equals(guardedBefore.remove(context.getConnection()))) {
            return;
        }
        String migration = CutoverCallback.name(info);
        String change = lostBy(db);
        if (change == null) {
            return;
        }
        if (incidentOverride == null) {
            throw refused(migration, "Migration " + migration + " refused: it takes the validated NOT NULL away from "
                    + cutover.subject() + " (" + change + "). Dropping NOT NULL is a data-integrity regression and needs "
                    + "incident-level review (see the runbook's abort / rollback guidance). " + OVERRIDE_HINT);
        }
        AuditLog.record(db, auditSchema, incidentOverride, new AuditLog.Migration(migration, info.getScript(), info.getChecksum()),
                cutover.subject(), change);
        LOG.atWarn().addKeyValue("migration", migration).addKeyValue("target", cutover.subject())
                .addKeyValue("incident", incidentOverride.incident()).addKeyValue("change", change)
                .log("Migration {} took the NOT NULL away from {} under incident {} ({}); recorded in {}", migration,
                        cutover.subject(), incidentOverride.incident(), incidentOverride.reason(),
                        Names.display(auditSchema, AuditLog.TABLE));
    }

    void failed(Context context) {
        guardedBefore.remove(context.getConnection());
        enforcedBefore.remove(context.getConnection());
    }

    /**
     * Before a migration while the cutover migration is not applied yet: once the column is
     * enforced for new rows (a NOT VALID or validated constraint refuses new NULLs, the enforce
     * phase), a migration whose SQL would take that constraint away (or the column's NOT NULL, or the
     * column) is refused as a later migration that drops the NOT NULL is. Foreign keys are not
     * guarded yet in this state.
     */
    void beforeEnforced(MigrationInfo info, Context context, CutoverDatabase db) {
        Optional<ColumnState> column = db.column(cutover.schema(), cutover.table(), cutover.column());
        Optional<String> enforcedBy = column.flatMap(RollbackGuard::enforcedBy);
        if (enforcedBy.isEmpty()) {
            return;
        }
        String migration = CutoverCallback.name(info);
        Set<String> carriers = new LinkedHashSet<>();
        column.get().notNullConstraints().stream().map(NotNullConstraint::name).forEach(carriers::add);
        List<String> drops = drops(info, context.getConfiguration(), carriers);
        if (!drops.isEmpty() && incidentOverride == null) {
            throw refused(migration, "Migration " + migration + " refused before it ran: its script " + info.getScript()
                    + " would take away " + enforcedBy.get() + ", which refuses new NULLs in " + cutover.subject() + " ("
                    + String.join("; ", drops) + "). Once enforced for new rows, dropping it is treated as dropping the NOT NULL: "
                    + "it needs incident-level review (see the runbook's abort / rollback guidance). " + OVERRIDE_HINT);
        }
        enforcedBefore.put(context.getConnection(), enforcedBy.get());
    }

    /** After a migration guarded by {@link #beforeEnforced}: refuses (or audits) one that took the enforcement away. */
    void afterEnforced(MigrationInfo info, Context context, CutoverDatabase db) {
        String before = enforcedBefore.remove(context.getConnection());
        if (before == null || db.column(cutover.schema(), cutover.table(), cutover.column())
                .flatMap(RollbackGuard::enforcedBy).isPresent()) {
            return;
        }
        String migration = CutoverCallback.name(info);
        String change = before + " is gone: new NULLs are accepted again";
        if (incidentOverride == null) {
            throw refused(migration, "Migration " + migration + " refused: it takes away " + before + ", which refused new NULLs "
                    + "in " + cutover.subject() + ". Once enforced for new rows, dropping it is treated as dropping the NOT NULL: "
                    + "it needs incident-level review (see the runbook's abort / rollback guidance). " + OVERRIDE_HINT);
        }
        AuditLog.record(db, auditSchema, incidentOverride, new AuditLog.Migration(migration, info.getScript(), info.getChecksum()),
                cutover.subject(), change);
        LOG.atWarn().addKeyValue("migration", migration).addKeyValue("target", cutover.subject())
                .addKeyValue("incident", incidentOverride.incident()).addKeyValue("change", change)
                .log("Migration {} took away what refused new NULLs in {} under incident {} ({}); recorded in {}", migration,
                        cutover.subject(), incidentOverride.incident(), incidentOverride.reason(),
                        Names.display(auditSchema, AuditLog.TABLE));
    }

    /**
     * What refuses new NULLs while the column is on its way to NOT NULL (NOT VALID or validated, not
     * NOT NULL yet), e.g. {@code the NOT VALID CHECK constraint user_organization_id_cutover_not_null};
     * empty in the other states.
     */
    static Optional<String> enforcedBy(ColumnState column) {
        NotNullState state = column.notNullState();
        if (state != NotNullState.NOT_VALID && state != NotNullState.VALIDATED) {
            return Optional.empty();
        }
        return column.notNullConstraints().stream().findFirst()
                .map(c -> "the " + (c.validated() ? "validated " : "NOT VALID ") + (c.check() ? "CHECK" : "NOT NULL")
                        + " constraint " + Names.display(c.name()));
    }

    private CutoverMigrationException refused(String migration, String message) {
        return new CutoverMigrationException(CutoverMigrationException.Reason.GUARD_REFUSED, migration, message);
    }

    /** What the migration's SQL script would take away; empty for a Java migration. */
    private List<String> drops(MigrationInfo info, Configuration configuration, CutoverDatabase db) {
        String script = info.getScript();
        if (script == null || !isSql(script, configuration)) {
            return List.of();
        }
        String text = scriptText(info, configuration).orElseThrow(() -> refused(CutoverCallback.name(info), "Migration "
                + CutoverCallback.name(info) + " refused before it ran: its script " + script + " could not be read to check that "
                + "it keeps the NOT NULL of " + cutover.subject() + ". Put the migration on the class path or the file system "
                + "(classpath: or filesystem: locations), then re-run."));
        Set<String> carriers = new LinkedHashSet<>();
        Optional<ColumnState> column = db.column(cutover.schema(), cutover.table(), cutover.column());
        column.ifPresent(c -> {
            c.notNullConstraints().stream().map(NotNullConstraint::name).forEach(carriers::add);
            c.foreignKeysOn(cutover.column()).stream().map(ForeignKey::name).forEach(carriers::add);
        });
        cutover.foreignKey().ifPresent(carriers::add);
        return DropStatements.find(text, cutover.schema(), cutover.table(), cutover.column(), carriers);
    }

    /** What the migration's SQL script would take away of these constraints (and the column's NOT NULL); empty for Java. */
    private List<String> drops(MigrationInfo info, Configuration configuration, Set<String> carriers) {
        String script = info.getScript();
        if (script == null || !isSql(script, configuration)) {
            return List.of();
        }
        String text = scriptText(info, configuration).orElseThrow(() -> refused(CutoverCallback.name(info), "Migration "
                + CutoverCallback.name(info) + " refused before it ran: its script " + script + " could not be read to check that "
                + "it keeps what refuses new NULLs in " + cutover.subject() + ". Put the migration on the class path or the file "
                + "system (classpath: or filesystem: locations), then re-run."));
        return DropStatements.find(text, cutover.schema(), cutover.table(), cutover.column(), carriers);
    }

    private static boolean isSql(String script, Configuration configuration) {
        for (String suffix : configuration.getSqlMigrationSuffixes()) {
            if (script.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** The script's text from its file on disk, else from the configured locations (class path or file system). */
    static Optional<String> scriptText(MigrationInfo info, Configuration configuration) {
        try {
            String physical = info.getPhysicalLocation();
            if (physical != null && !physical.isBlank()) {
                Path path = Path.of(physical);
                if (Files.isRegularFile(path)) {
                    return Optional.of(Files.readString(path, configuration.getEncoding()));
                }
            }
            for (Location location : configuration.getLocations()) {
                String relative = location.getRootPath().isEmpty() ? info.getScript() : location.getRootPath() + "/" + info.getScript();
                if ("classpath:".equals(location.getPrefix())) {
                    URL url = configuration.getClassLoader().getResource(relative);
                    if (url != null) {
                        try (InputStream in = url.openStream()) {
                            return Optional.of(new String(in.readAllBytes(), configuration.getEncoding()));
                        }
                    }
                } else if ("filesystem:".equals(location.getPrefix()) && Files.isRegularFile(Path.of(relative))) {
                    return Optional.of(Files.readString(Path.of(relative), configuration.getEncoding()));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().log("Could not read the script {}: {}", info.getScript(), e.toString());
        }
        return Optional.empty();
    }

    /** What is missing of a validated NOT NULL, or {@code null} when nothing is. */
    String lostBy(CutoverDatabase db) {
        VerificationReport report;
        try {
            report = db.verify(cutover);
        } catch (CutoverConfigurationException e) {
            return "the cutover no longer matches the catalog: " + e.getMessage();
        }
        List<String> lost = report.checks().stream()
                .filter(c -> GUARDED_CHECKS.contains(c.name()))
                .filter(c -> !c.passed())
                .map(VerificationCheck::toString)
                .map(s -> s.substring("[FAIL] ".length()))
                .toList();
        return lost.isEmpty() ? null : String.join("; ", lost);
    }
}
