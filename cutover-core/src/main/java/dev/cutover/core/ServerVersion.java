package dev.cutover.core;

/**
 * A PostgreSQL server version as {@code server_version_num} gives it, e.g. {@code 180006}.
 *
 * @param number the value of {@code server_version_num}
 */
public record ServerVersion(int number) {

    /** The major version, e.g. {@code 18}. */
    public int major() {
        return number / 10000;
    }

    /** The minor version, e.g. {@code 6}. */
    public int minor() {
        return number % 10000;
    }

    /** Whether this server has catalogued NOT NULL constraints ({@code NOT NULL ... NOT VALID}): 18 and later. */
    public boolean hasNotNullConstraints() {
        return major() >= 18;
    }

    @Override
    public String toString() {
        return major() + "." + minor();
    }
}
