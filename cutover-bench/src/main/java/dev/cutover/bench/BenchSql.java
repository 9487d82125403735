package dev.cutover.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/** Runs one statement for run-all.sh (create and drop the benchmarks' databases) and prints the first value it returns. */
public final class BenchSql {

    private BenchSql() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: BenchSql <jdbc-url> <sql>");
        }
        try (Connection c = DriverManager.getConnection(args[0]); Statement s = c.createStatement()) {
            if (s.execute(args[1])) {
                try (ResultSet rs = s.getResultSet()) {
                    if (rs.next()) {
                        System.out.println(rs.getString(1));
                    }
                }
            }
        }
    }
}
