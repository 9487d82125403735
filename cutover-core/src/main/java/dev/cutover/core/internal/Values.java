package dev.cutover.core.internal;

import java.sql.Date;
import java.sql.Timestamp;

/** Turns JDBC's legacy date-time types into java.time for readable reports. */
public final class Values {

    private Values() {
    }

    public static Object readable(Object value) {
        if (value instanceof Timestamp t) {
            return t.toLocalDateTime();
        }
        if (value instanceof Date d) {
            return d.toLocalDate();
        }
        return value;
    }
}
