package dev.cutover.cli;

import dev.cutover.core.NullProbe;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover index}: the partial NULL index. */
@Command(name = "index", description = "The partial index WHERE column IS NULL that makes counting cheap.",
        subcommands = IndexCommand.Create.class)
final class IndexCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Give a subcommand: cutover index create");
    }

    /** {@code cutover index create}. */
    @Command(name = "create", description = {"Creates the partial NULL index with CREATE INDEX CONCURRENTLY (reads and "
            + "writes go on); does nothing when one exists."})
    static final class Create extends BaseCommand {

        @Option(names = "--timeout", paramLabel = "DURATION", description = "statement_timeout of the build (default: 1h).")
        String timeout;

        @Override
        public Integer call() {
            java.time.Duration t = timeout == null ? java.time.Duration.ofHours(1) : CliConfig.duration("--timeout", timeout);
            try (Session session = Session.open(common, env())) {
                List<Session.Outcome> outcomes = session.forEach(session.targets(), target -> {
                    NullProbe probe = target.database(session.connections).probe(target.cutover());
                    Optional<String> existing = probe.nullIndex();
                    String name = existing.orElseGet(() -> probe.createNullIndex(t));
                    Map<String, Object> json = target.json();
                    json.put("exitCode", ExitCodes.OK);
                    json.put("index", name);
                    json.put("created", existing.isEmpty());
                    String text = existing.isPresent() ? "NULL index " + name + " already exists on " + target.cutover().qualifiedTable()
                            : "Created NULL index " + name + " on " + target.cutover().qualifiedTable();
                    return new Session.Outcome(target, ExitCodes.OK, json, text, List.of(target.address().display(),
                            target.cutover().subject(), name, existing.isEmpty() ? "created" : "existed"));
                });
                return print(outcomes, "TARGET", "SUBJECT", "INDEX", "ACTION");
            }
        }
    }
}
