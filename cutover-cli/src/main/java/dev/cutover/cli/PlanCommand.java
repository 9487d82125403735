package dev.cutover.cli;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.migrate.FlywayFile;
import dev.cutover.core.migrate.MigrationPlan;
import dev.cutover.core.migrate.NotNullMigration;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover plan}: the zero-downtime SQL, or Flyway migration files. */
@Command(name = "plan", description = {"The zero-downtime NOT NULL sequence for the connected server's version, as SQL; "
        + "with --flyway-dir and --version, as one ready-to-commit Flyway migration: the script, each step a short "
        + "transaction with lock_timeout retried while the table is busy, and its .sql.conf (executeInTransaction=false)."})
final class PlanCommand extends BaseCommand {

    @Option(names = "--flyway-dir", paramLabel = "DIR", description = "Write the Flyway SQL migration and its .sql.conf into DIR.")
    Path flywayDir;

    @Option(names = "--version", paramLabel = "VERSION",
            description = "Flyway version of the migration (the cutover migration the callback guards), e.g. 17.")
    String version;

    @Option(names = "--description", paramLabel = "NAME",
            description = "The file name after V<version>__ (default: <table>_<column>_not_null).")
    String description;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", description = "lock_timeout of each step (default: 50ms).")
    String lockTimeout;

    @Option(names = "--replace-foreign-key",
            description = "Drop a foreign key that differs from the configured one, in the step that adds the expected one.")
    boolean replaceForeignKey;

    @Override
    public Integer call() {
        if ((flywayDir == null) != (version == null)) {
            throw CliException.usage(flywayDir == null ? "--version needs --flyway-dir" : "--flyway-dir needs --version, "
                    + "e.g. --version 17");
        }
        if (version != null && !version.matches("\\d+(\\.\\d+)*")) {
            throw CliException.usage("--version must be a Flyway version such as 17 or 2.1, but was " + version);
        }
        Duration lock = lockTimeout == null ? Duration.ofMillis(50) : CliConfig.duration("--lock-timeout", lockTimeout);
        try (Session session = Session.open(common, env())) {
            Target t = session.single("plan");
            MigrationPlan plan = NotNullMigration.builder(t.database(session.connections), t.cutover()).lockTimeout(lock)
                    .replaceForeignKey(replaceForeignKey).build().plan();
            List<String> files = flywayDir == null ? List.of() : write(plan, t.cutover().table() + "_" + t.cutover().column()
                    + "_not_null");
            if (common.json) {
                Map<String, Object> json = t.json();
                json.put("serverVersion", plan.serverVersion());
                json.put("complete", plan.complete());
                json.put("steps", plan.steps().stream().map(s -> Json.object("name", s.name(), "sql", s.sql(), "lock",
                        s.lockLevel().sql(), "scans", s.scans(), "done", s.done())).toList());
                json.put("files", files);
                Json.print(out(), json);
            } else if (files.isEmpty()) {
                out().print(plan.toSql());
                out().flush();
            } else {
                out().println("Wrote the Flyway migration " + version + " for " + plan.subject() + " (PostgreSQL "
                        + plan.serverVersion() + "), the script and its .sql.conf (executeInTransaction=false):");
                files.forEach(f -> out().println("  " + f));
                out().println("Guard it with cutover.cutovers[0].migration=" + version + ": it is refused while NULL rows "
                        + "remain, and verified after it ran.");
                out().flush();
            }
            return ExitCodes.OK;
        }
    }

    private List<String> write(MigrationPlan plan, String defaultDescription) {
        List<FlywayFile> rendered;
        try {
            rendered = plan.flywayFiles(version, description != null ? description : defaultDescription);
        } catch (CutoverConfigurationException e) {
            throw CliException.usage(e.getMessage());
        }
        for (FlywayFile f : rendered) {
            if (Files.exists(flywayDir.resolve(f.name()))) {
                throw CliException.usage(flywayDir.resolve(f.name()) + " exists already: choose another --version or --flyway-dir");
            }
        }
        List<String> files = new ArrayList<>();
        try {
            for (FlywayFile f : rendered) {
                files.add(f.writeTo(flywayDir).toString());
            }
        } catch (UncheckedIOException e) {
            throw CliException.usage("Could not write the Flyway migration into " + flywayDir + ": " + e.getMessage());
        }
        return files;
    }
}
