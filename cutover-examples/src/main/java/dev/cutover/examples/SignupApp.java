package dev.cutover.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * The application whose users must all belong to an organization: signups that create an
 * organization, signups that join one by email domain, and a legacy invite path that forgot
 * the organization until the pre-insert assignment hook went live.
 */
final class SignupApp {

    private final DataSource dataSource;
    private volatile boolean assignmentHookLive;

    SignupApp(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Deploys (or rolls back) the pre-insert hook that assigns an organization on every path. */
    void assignmentHookLive(boolean live) {
        this.assignmentHookLive = live;
    }

    boolean assignmentHookLive() {
        return assignmentHookLive;
    }

    /** Create flow: a new organization for the email's domain, and its first user. */
    long createFlow(String email, String organization, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long org;
            try (PreparedStatement s = c.prepareStatement(
                    "insert into organizations (name, domain) values (?, ?) returning id")) {
                s.setString(1, organization);
                s.setString(2, domain(email));
                org = single(s);
            }
            return insertUser(c, email, org, at);
        }
    }

    /** Join flow: the user joins the organization that owns the email's domain. */
    long joinFlow(String email, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Long org = organizationFor(c, email);
            if (org == null) {
                throw new IllegalStateException("join flow: no organization owns " + domain(email));
            }
            return insertUser(c, email, org, at);
        }
    }

    /** The legacy invite path: without the hook, the user is created with no organization. */
    long legacyInvite(String email, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Long org = assignmentHookLive ? organizationFor(c, email) : null;
            return insertUser(c, email, org, at);
        }
    }

    private static Long organizationFor(Connection c, String email) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select id from organizations where domain = ?")) {
            s.setString(1, domain(email));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static long insertUser(Connection c, String email, Long org, Instant at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "insert into \"user\" (email, created_at, organization_id) values (?, ?, ?) returning id")) {
            s.setString(1, email);
            s.setObject(2, java.sql.Timestamp.from(at));
            s.setObject(3, org);
            return single(s);
        }
    }

    private static long single(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String domain(String email) {
        return email.substring(email.indexOf('@') + 1);
    }
}
