package dev.cutover.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.testing.TestDatabase;
import dev.cutover.core.verify.VerificationReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Names from configuration are quoted and handled, or refused before any statement runs; never executed as SQL. */
class HostileIdentifiersTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> d.execute("create table canary (id int); insert into canary values (1)"));

    @ParameterizedTest
    @ValueSource(strings = {
            "we\"ird", "x\"; drop table canary; --", "semi;colon", "dash -- comment", "with space", "Mixed Case",
            "select", "user", "ünïcødé 表", "emoji 🚀", "back\\slash", "'single'", "$1", "a.b"})
    void oddNamesAreQuotedAndWork(String name) throws SQLException {
        String table = name;
        String column = name + " col";
        String schema = name + " schema";
        String referenced = name + " ref";
        try (Connection c = database.dataSource().getConnection()) {
            // Set up with PostgreSQL's own quoting (format's %I), independent of the code under test.
            execute(c, "create schema %I", schema);
            execute(c, "create table %I.%I (id bigint primary key)", schema, referenced);
            execute(c, "insert into %I.%I values (1)", schema, referenced);
            execute(c, "create table %I.%I (id bigint primary key, %I bigint)", schema, table, column);
            execute(c, "insert into %I.%I values (1, null), (2, 1), (3, null)", schema, table);
        }
        NotNullCutover cutover = NotNullCutover.builder(table, column).schema(schema)
                .references(referenced, "id").inspect("id", column).sensitive(column).build();
        CutoverDatabase db = database.cutoverDatabase();

        NullProbe probe = db.probe(cutover);
        assertThat(probe.count()).isEqualTo(2);
        assertThat(probe.exists()).isTrue();
        assertThat(probe.sample(10)).extracting(r -> r.key().get("id")).containsExactly(3L, 1L);
        String index = probe.createNullIndex();
        assertThat(probe.nullIndex()).contains(index);

        try (Connection c = database.dataSource().getConnection()) {
            execute(c, "update %I.%I set %I = 1", schema, table, column);
            execute(c, "alter table %I.%I alter column %I set not null", schema, table, column);
            execute(c, "alter table %I.%I add foreign key (%I) references %I.%I (id) on delete restrict",
                    schema, table, column, schema, referenced);
        }
        VerificationReport report = db.verify(cutover);
        assertThat(report.passed()).as(report.render()).isTrue();
        assertThat(database.queryLong("select count(*) from canary")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "é"})
    void overlongNamesAreRefusedBeforeAnyStatement(String letter) {
        String name = letter.repeat(64);
        assertThatThrownBy(() -> NotNullCutover.builder("t", "c").inspect("id", name))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageStartingWith("inspect column must be at most 63 bytes in UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"canary\0; drop table canary"})
    void nulIsRefusedBeforeAnyStatement(String name) {
        assertThatThrownBy(() -> NotNullCutover.builder(name, "c"))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageStartingWith("table must not contain a NUL character");
        assertThat(database.queryLong("select count(*) from canary")).isEqualTo(1);
    }

    /** Runs {@code format(sql, names...)} on the server: %I quotes each name as PostgreSQL does. */
    private static void execute(Connection c, String sql, String... names) throws SQLException {
        StringBuilder call = new StringBuilder("select format(?");
        call.append(", ?".repeat(names.length)).append(')');
        String statement;
        try (PreparedStatement format = c.prepareStatement(call.toString())) {
            format.setString(1, sql);
            for (int i = 0; i < names.length; i++) {
                format.setString(i + 2, names[i]);
            }
            try (var rs = format.executeQuery()) {
                rs.next();
                statement = rs.getString(1);
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
