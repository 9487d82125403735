package dev.cutover.testkit.db;

/**
 * A test run that gets killed: it takes a server the way the testkit does, creates a database,
 * says where they are on standard output and waits to be killed. Started by {@code LeftoversTest}.
 *
 * <p>Arguments: {@code url <admin JDBC URL>} (a server given by URL) or {@code embedded <major>}.
 */
public final class KilledRunMain {

    private KilledRunMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        PostgresServer server = args[0].equals("url") ? PostgresServers.jdbcUrl(args[1]) : PostgresServers.embedded(Integer.parseInt(args[1]));
        ScratchDatabase database = server.createDatabase();
        String template = server instanceof EmbeddedServer embedded ? embedded.templateDatabase() : ((UrlServer) server).templateDatabase();
        String directory = server instanceof EmbeddedServer embedded ? embedded.directory().toString() : "-";
        System.out.println("READY " + template + " " + database.name() + " " + directory);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
