package dev.cutover.core.migrate;

import dev.cutover.core.CutoverConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One file of a Flyway migration rendered by {@link MigrationPlan#flywayFiles(String, String)}:
 * the SQL script or its {@code .sql.conf}.
 *
 * <pre>{@code
 * for (FlywayFile file : plan.flywayFiles("17", "user_organization_id_not_null")) {
 *     file.writeTo(Path.of("src/main/resources/db/migration"));
 * }
 * }</pre>
 *
 * @param name    the file name, e.g. {@code V17__user_organization_id_not_null.sql}
 * @param content the file's text
 */
public record FlywayFile(String name, String content) {

    public FlywayFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
    }

    /**
     * Writes the file into {@code directory} (created when missing), in UTF-8.
     *
     * @return the file written
     * @throws CutoverConfigurationException when a file of that name exists already: nothing is overwritten
     * @throws UncheckedIOException          when the file cannot be written
     */
    public Path writeTo(Path directory) {
        Path file = directory.resolve(name);
        try {
            Files.createDirectories(directory);
            if (Files.exists(file)) {
                throw new CutoverConfigurationException(file + " exists already; nothing was overwritten. Choose another version "
                        + "or directory, or remove the old file first.");
            }
            return Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
