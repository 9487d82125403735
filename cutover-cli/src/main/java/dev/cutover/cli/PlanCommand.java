package dev.cutover.cli;

import dev.cutover.core.migrate.MigrationPlan;
import dev.cutover.core.migrate.MigrationStep;
import dev.cutover.core.migrate.NotNullMigration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover plan}: the zero-downtime SQL, or Flyway migration files. */
@Command(name = "plan", description = {"The zero-downtime NOT NULL sequence for the connected server's version, as SQL; "
        + "with --flyway-dir and --version, as ready-to-commit Flyway migration files, one statement each."})
final class PlanCommand extends BaseCommand {

    @Option(names = "--flyway-dir", paramLabel = "DIR", description = "Write one Flyway SQL migration per step into DIR.")
    Path flywayDir;

    @Option(names = "--version", paramLabel = "VERSION",
            description = "Flyway version of the first file (the cutover migration the callback guards), e.g. 17; "
                    + "later steps get 17.1, 17.2, ...")
    String version;

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
            List<String> files = flywayDir == null ? List.of() : write(plan, lock);
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
                out().println("Wrote " + files.size() + " Flyway migrations for " + plan.subject() + " (PostgreSQL "
                        + plan.serverVersion() + "):");
                files.forEach(f -> out().println("  " + f));
                out().println("Guard them with cutover.cutovers[0].migration=" + version + ": the first one is refused while "
                        + "NULL rows remain.");
                out().flush();
            }
            return ExitCodes.OK;
        }
    }

    private List<String> write(MigrationPlan plan, Duration lock) {
        List<String> files = new ArrayList<>();
        try {
            Files.createDirectories(flywayDir);
            int n = 0;
            for (MigrationStep step : plan.steps()) {
                String v = n == 0 ? version : version + "." + n;
                n++;
                String description = step.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
                Path file = flywayDir.resolve("V" + v + "__" + (description.length() > 60 ? description.substring(0, 60)
                        : description) + ".sql");
                if (Files.exists(file)) {
                    throw CliException.usage(file + " exists already: choose another --version or --flyway-dir");
                }
                StringBuilder sql = new StringBuilder();
                sql.append("-- ").append(plan.subject()).append(", step ").append(n).append(" of ").append(plan.steps().size())
                        .append(": ").append(step.name()).append('\n');
                sql.append("-- Lock: ").append(step.lockLevel().sql()).append(step.scans()
                        ? "; scans the table while reads and writes go on" : "; brief, no table scan").append('\n');
                sql.append("-- Fails with SQLSTATE 55P03 when the table is busy: run Flyway again later, do not raise "
                        + "lock_timeout.\n");
                sql.append("SET LOCAL lock_timeout = '").append(lock.toMillis()).append("ms';\n");
                if (step.scans()) {
                    sql.append("SET LOCAL statement_timeout = '").append(plan.validateTimeout().toMillis()).append("ms';\n");
                }
                sql.append(step.sql()).append(";\n");
                Files.writeString(file, sql.toString(), StandardCharsets.UTF_8);
                files.add(file.toString());
            }
        } catch (IOException e) {
            throw CliException.usage("Could not write the Flyway migrations into " + flywayDir + ": " + e.getMessage());
        }
        return files;
    }
}
