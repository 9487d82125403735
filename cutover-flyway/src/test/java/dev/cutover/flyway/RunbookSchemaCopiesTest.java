package dev.cutover.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.runbook.RunbookSchema;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each Flyway scenario of these tests has its own location, so each has its own V16 file with
 * the runbook's tables; they must all be {@link RunbookSchema#DDL}, the one definition of them.
 */
class RunbookSchemaCopiesTest {

    @Test
    void everyV16IsTheRunbookSchema() throws IOException, URISyntaxException {
        Path root = Path.of(RunbookSchemaCopiesTest.class.getResource("/dev/cutover/flyway").toURI());
        List<Path> copies;
        try (Stream<Path> files = Files.walk(root)) {
            copies = files.filter(f -> f.getFileName().toString().startsWith("V16__")).sorted().toList();
        }

        assertThat(copies).hasSizeGreaterThanOrEqualTo(10);
        for (Path copy : copies) {
            assertThat(normalized(Files.readString(copy))).as(root.relativize(copy).toString())
                    .isEqualTo(normalized(RunbookSchema.DDL));
        }
    }

    private static String normalized(String sql) {
        return sql.replaceAll("--[^\\n]*", " ").replaceAll("\\s+", " ").strip();
    }
}
