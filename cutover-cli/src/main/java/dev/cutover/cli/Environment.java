package dev.cutover.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the command line reads from its surroundings: environment variables and the home
 * directory. Tests give their own.
 */
record Environment(Map<String, String> variables, Path home) {

    static Environment system() {
        return new Environment(System.getenv(), Path.of(System.getProperty("user.home", ".")));
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(variables.get(name)).filter(v -> !v.isEmpty());
    }

    /** {@code PGPASSFILE}, else {@code ~/.pgpass}. */
    Path pgpass() {
        return get("PGPASSFILE").map(Path::of).orElse(home.resolve(".pgpass"));
    }
}
