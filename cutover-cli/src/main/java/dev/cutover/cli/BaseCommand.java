package dev.cutover.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the common options, the output streams, the environment. */
abstract class BaseCommand implements Callable<Integer> {

    @Mixin
    Common common;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    CutoverCli root() {
        return (CutoverCli) spec.root().userObject();
    }

    Environment env() {
        return root().env();
    }

    /**
     * Prints a fleet's outcomes: a JSON array, or for one target its text, for several a table
     * with a line per target followed by the errors.
     */
    int print(List<Session.Outcome> outcomes, String... header) {
        if (common.json) {
            Json.print(out(), outcomes.stream().map(Session.Outcome::json).toList());
            return Session.exitCode(outcomes);
        }
        if (outcomes.size() == 1) {
            Session.Outcome only = outcomes.get(0);
            PrintWriter w = only.row() == null ? err() : out();
            w.println(only.row() == null ? "cutover: " + only.text() : only.text());
            w.flush();
            return Session.exitCode(outcomes);
        }
        TextTable table = new TextTable(header);
        int errors = 0;
        for (Session.Outcome o : outcomes) {
            if (o.row() != null) {
                table.row(o.row().toArray(String[]::new));
            } else {
                errors++;
                String[] cells = new String[header.length];
                java.util.Arrays.fill(cells, "-");
                cells[0] = o.target().address().display();
                cells[1] = o.target().cutover().subject();
                cells[2] = "ERROR (exit " + o.exitCode() + ")";
                table.row(cells);
            }
        }
        table.print(out());
        if (errors > 0) {
            out().println();
            for (Session.Outcome o : outcomes) {
                if (o.row() == null) {
                    out().println(o.text());
                }
            }
        }
        long failing = outcomes.stream().filter(o -> o.exitCode() != ExitCodes.OK).count();
        out().println(outcomes.size() + " targets, " + (outcomes.size() - failing) + " ok, " + failing + " not ok");
        out().flush();
        return Session.exitCode(outcomes);
    }

    /** Checks that {@code --deadline} is not shorter than {@code --lock-timeout}, as a usage error. */
    static void requireDeadlineAtLeastLockTimeout(Duration until, String deadline, Duration lock, String lockTimeout) {
        if (until.compareTo(lock) < 0) {
            throw CliException.usage("--deadline (" + deadline + ") must not be shorter than --lock-timeout (" + lockTimeout + ")");
        }
    }

    /**
     * A command that changes targets: on one target, {@code change} (told it is not a fleet) and its
     * text, JSON object or error; over a fleet, {@link FleetRun} with its table or JSON summary.
     *
     * @return the exit code
     */
    int changeEach(Session session, List<Target> targets, boolean keepGoing,
                   BiFunction<Target, Boolean, Session.Outcome> change) {
        if (!session.fleet()) {
            Session.Outcome o = session.guarded(targets.get(0), () -> change.apply(targets.get(0), false));
            if (o.row() == null) {
                err().println("cutover: " + o.json().get("error"));
                err().flush();
                return o.exitCode();
            }
            if (common.json) {
                Json.print(out(), o.json());
            } else {
                out().println(o.text());
                out().flush();
            }
            return o.exitCode();
        }
        List<FleetRun.Result> results = FleetRun.run(session, targets, common.parallel, keepGoing, t -> change.apply(t, true));
        if (common.json) {
            Json.print(out(), FleetRun.json(results, keepGoing));
        } else {
            out().println(FleetRun.text(results, keepGoing));
            out().flush();
        }
        return FleetRun.exitCode(results);
    }
}
