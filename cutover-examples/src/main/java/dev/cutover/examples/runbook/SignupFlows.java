package dev.cutover.examples.runbook;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The runbook's two signup flows on its tables ({@link dev.cutover.runbook.RunbookSchema#DDL}
 * in the {@code public} schema): create an organization and its first user, or join the
 * organization that owns the email's domain. With the assignment hook the new user gets the
 * organization; without it (as before the hook was deployed) {@code organization_id} stays
 * NULL, which is what the Stage A gate watches for.
 *
 * <pre>{@code
 * SignupFlows signups = SignupFlows.withAssignmentHook(db.dataSource());
 * Signup ann = signups.createOrganization("Acme", "ann@acme.test");
 * Signup bob = signups.joinOrganization("bob@acme.test");
 * assertThat(bob.assigned()).isTrue();
 * }</pre>
 */
public final class SignupFlows {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final boolean assignmentHook;

    private SignupFlows(DataSource dataSource, boolean assignmentHook) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.assignmentHook = assignmentHook;
    }

    /** Signups as they run with the pre-insert assignment hook: every new user gets an organization. */
    public static SignupFlows withAssignmentHook(DataSource dataSource) {
        return new SignupFlows(dataSource, true);
    }

    /** Signups as they ran before the assignment hook: new users get {@code organization_id} NULL. */
    public static SignupFlows withoutAssignmentHook(DataSource dataSource) {
        return new SignupFlows(dataSource, false);
    }

    /** Whether these flows run with the pre-insert assignment hook. */
    public boolean assignmentHook() {
        return assignmentHook;
    }

    /**
     * Creates an organization owning the email's domain, then its first user.
     *
     * @throws CutoverConfigurationException when an organization already owns that domain
     * @throws CutoverDatabaseException when a statement fails, with the server's SQLSTATE
     */
    public Signup createOrganization(String organizationName, String email) {
        String domain = domainOf(email);
        return inTransaction("sign up " + email + " creating organization " + organizationName, connection -> {
            if (organizationOf(connection, domain).isPresent()) {
                throw new CutoverConfigurationException("An organization already owns the domain " + domain
                        + ": sign " + email + " up with joinOrganization(email)");
            }
            long organizationId;
            try (PreparedStatement s = connection.prepareStatement(
                    "insert into public.organizations (name, domain) values (?, ?) returning id")) {
                s.setString(1, organizationName);
                s.setString(2, domain);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    organizationId = rs.getLong(1);
                }
            }
            return insertUser(connection, "create", email, organizationId);
        });
    }

    /**
     * Creates a user in the organization that owns the email's domain.
     *
     * @throws CutoverConfigurationException when no organization owns that domain
     * @throws CutoverDatabaseException when a statement fails, with the server's SQLSTATE
     *         ({@code 23502} once {@code organization_id} is NOT NULL and the hook is missing)
     */
    public Signup joinOrganization(String email) {
        String domain = domainOf(email);
        return inTransaction("sign up " + email + " joining its organization", connection -> {
            long organizationId = organizationOf(connection, domain).orElseThrow(() -> new CutoverConfigurationException(
                    "No organization owns the domain " + domain + ": sign the first user up with createOrganization(name, email)"));
            return insertUser(connection, "join", email, organizationId);
        });
    }

    private Signup insertUser(Connection connection, String flow, String email, long organizationId) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "insert into public.\"user\" (email, organization_id) values (?, ?) returning id, organization_id")) {
            s.setString(1, email);
            if (assignmentHook) {
                s.setLong(2, organizationId);
            } else {
                s.setNull(2, Types.BIGINT);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                long userId = rs.getLong(1);
                long assigned = rs.getLong(2);
                return new Signup(flow, email, userId, organizationId, rs.wasNull() ? Optional.empty() : Optional.of(assigned));
            }
        }
    }

    private static Optional<Long> organizationOf(Connection connection, String domain) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("select id from public.organizations where domain = ?")) {
            s.setString(1, domain);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    private static String domainOf(String email) {
        int at = email == null ? -1 : email.lastIndexOf('@');
        if (at <= 0 || at == email.length() - 1) {
            throw new IllegalArgumentException("email must look like name@domain, but was " + (email == null ? "null" : "'" + email + "'"));
        }
        return email.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** One transaction with a transaction-local statement_timeout; a failed statement becomes a CutoverDatabaseException. */
    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement s = connection.prepareStatement("select set_config('statement_timeout', ?, true)")) {
                    s.setString(1, TIMEOUT.toMillis() + "ms");
                    s.execute();
                }
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            // The server's first line only: its DETAIL line would repeat the row's values.
            String state = e.getSQLState();
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip().lines().findFirst().orElse("");
            throw new CutoverDatabaseException("Could not " + what + (state == null ? "" : " (SQLSTATE " + state + ")")
                    + ": " + message, state, e);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    @Override
    public String toString() {
        return "SignupFlows[" + (assignmentHook ? "with" : "without") + " assignment hook]";
    }
}
