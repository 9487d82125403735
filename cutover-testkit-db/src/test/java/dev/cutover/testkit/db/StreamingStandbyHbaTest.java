package dev.cutover.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testkit.db.StreamingStandby.HbaRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which pg_hba.conf lines let the standby's base backup and WAL stream in; no server needed. */
class StreamingStandbyHbaTest {

    private static final String FILE = "/etc/postgresql/15/main/pg_hba.conf";

    @Test
    void aTrustLineForReplicationFromLoopbackIsEnough() {
        List<HbaRule> rules = List.of(
                rule(1, "local", "all", "all", null, null, "peer"),
                rule(2, "host", "all", "all", "127.0.0.1", "255.255.255.255", "trust"),
                rule(3, "host", "replication", "postgres", "127.0.0.1", "255.255.255.255", "trust"));
        assertThat(StreamingStandby.hbaProblem(rules, "postgres", "127.0.0.1:5432", FILE)).isEmpty();
    }

    @Test
    void allUsersAndAWiderNetworkCountToo() {
        List<HbaRule> rules = List.of(rule(7, "host", "replication", "all", "127.0.0.0", "255.0.0.0", "trust"));
        assertThat(StreamingStandby.hbaProblem(rules, "postgres", "127.0.0.1:5432", FILE)).isEmpty();
    }

    @Test
    void theAllDatabaseLineDoesNotCoverReplication() {
        List<HbaRule> rules = List.of(
                rule(1, "local", "all", "all", null, null, "trust"),
                rule(2, "host", "all", "all", "127.0.0.1", "255.255.255.255", "trust"));
        assertThat(StreamingStandby.hbaProblem(rules, "postgres", "127.0.0.1:5432", FILE)).hasValue(
                "The PostgreSQL server at 127.0.0.1:5432 does not let postgres connect for replication from 127.0.0.1: no line of "
                        + FILE + " allows it. Add the line 'host replication postgres 127.0.0.1/32 trust' to it"
                        + " and reload the server (select pg_reload_conf()); .ci/run does this before the tests.");
    }

    @Test
    void theFirstMatchingLineDecidesAndAPasswordMethodIsNamed() {
        List<HbaRule> rules = List.of(
                rule(4, "host", "replication", "all", "127.0.0.1", "255.255.255.255", "scram-sha-256"),
                rule(5, "host", "replication", "postgres", "127.0.0.1", "255.255.255.255", "trust"));
        assertThat(StreamingStandby.hbaProblem(rules, "postgres", "127.0.0.1:5432", FILE)).hasValue(
                "The PostgreSQL server at 127.0.0.1:5432 asks postgres for scram-sha-256 authentication on replication connections "
                        + "from 127.0.0.1 (" + FILE + " line 4), so no standby can be made without a password. Put the line "
                        + "'host replication postgres 127.0.0.1/32 trust' before line 4 and reload the server (select pg_reload_conf()).");
    }

    @Test
    void linesForOtherUsersAddressesOrUnixSocketsAreSkipped() {
        List<HbaRule> rules = List.of(
                rule(1, "local", "replication", "all", null, null, "peer"),
                rule(2, "host", "replication", "app", "127.0.0.1", "255.255.255.255", "md5"),
                rule(3, "host", "replication", "postgres", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "md5"),
                rule(4, "host", "replication", "postgres", "10.0.0.0", "255.0.0.0", "md5"),
                rule(5, "host", "replication", "postgres", "samehost", null, "trust"));
        assertThat(StreamingStandby.hbaProblem(rules, "postgres", "127.0.0.1:5432", FILE)).isEmpty();
    }

    private static HbaRule rule(int line, String type, String database, String user, String address, String netmask, String method) {
        return new HbaRule(line, type, List.of(database), List.of(user), address, netmask, method);
    }
}
