package dev.cutover.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.OutputStreamWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code cutover} command line: the runbook of a NOT NULL cutover for the people who run it,
 * on one database or a fleet.
 *
 * <pre>{@code
 * java -jar cutover.jar status --config cutover.yml --url jdbc:postgresql://db:5432/app?user=ops
 * java -jar cutover.jar remediate --config cutover.yml --batch-size 1000 --max-rows-per-second 5000
 * java -jar cutover.jar verify --json
 * }</pre>
 *
 * Exit codes: 0 ok, 1 a check failed (NULL rows remain, NO_GO, verification failed), 2 usage or
 * configuration error (nothing was changed), 3 database error.
 */
@Command(name = "cutover", mixinStandardHelpOptions = true, version = "cutover 0.1.0",
        description = {"Make a column NOT NULL on a live PostgreSQL database, safely: the runbook on the command line.",
                "Configuration: --config cutover.yml with the Spring Boot starter's cutover.* keys; flags override it.",
                "Connection: --url or $CUTOVER_URL; the password from $PGPASSWORD or ~/.pgpass."},
        subcommands = {StatusCommand.class, VerifyCommand.class, SampleCommand.class, IndexCommand.class, PlanCommand.class,
                WatchCommand.class, PreflightCommand.class, RemediateCommand.class, ResumeCommand.class, EnforceCommand.class,
                MigrateCommand.class, UndoCommand.class,
                RunsCommand.class,
                CommandLine.HelpCommand.class})
public final class CutoverCli implements Runnable {

    static final Map<String, String> EXIT_CODES = exitCodes();

    private final Environment env;
    private final List<String> args;

    @Spec
    CommandSpec spec;

    CutoverCli(Environment env, List<String> args) {
        this.env = env;
        this.args = List.copyOf(args);
    }

    Environment env() {
        return env;
    }

    /** The arguments this run was started with, to print a command that goes on where it stopped. */
    List<String> args() {
        return args;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Give a command, e.g. cutover status --config cutover.yml");
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the command and its options, e.g. {@code status --config cutover.yml}
     */
    public static void main(String[] args) {
        configureLogging(args);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = execute(Environment.system(), out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command with these streams and this environment, and returns its exit code. */
    static int execute(Environment env, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(env, args);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine commandLine(Environment env, String... args) {
        CommandLine cl = new CommandLine(new CutoverCli(env, List.of(args)));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            int code = Errors.exitCode(e);
            commandLine.getErr().println("cutover: " + Errors.message(e));
            if (parseResult.hasMatchedOption("--verbose") || parseResult.subcommand() != null
                    && parseResult.subcommand().hasMatchedOption("--verbose")) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return code;
        });
        cl.setExitCodeExceptionMapper(Errors::exitCode);
        apply(cl);
        return cl;
    }

    private static void apply(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                sub.getCommandSpec().mixinStandardHelpOptions(true);
            }
            apply(sub);
        }
    }

    private static Map<String, String> exitCodes() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(" 0", "ok: every check passed, the command did what it says");
        codes.put(" 1", "a check failed: NULL rows remain, the gate is NO_GO, verification failed, remediation incomplete");
        codes.put(" 2", "usage or configuration error, naming the option or key; nothing was changed");
        codes.put(" 3", "database error: unreachable, refused, or a statement failed");
        return codes;
    }

    /** The library logs through SLF4J; quiet unless -v/--verbose, always to stderr. */
    static void configureLogging(String[] args) {
        boolean verbose = List.of(args).contains("-v") || List.of(args).contains("--verbose");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "error");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", verbose ? "warn" : "off");
    }
}
