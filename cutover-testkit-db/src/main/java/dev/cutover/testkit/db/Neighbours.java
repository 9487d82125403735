package dev.cutover.testkit.db;

import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What tests that need a neighbour of the database ({@link PgBouncer}, {@link StreamingStandby})
 * do when this machine lacks it: on a developer's machine the test is skipped with the reason;
 * in CI (environment variable {@code CI=true}) it fails with the reason, because there CI must
 * have installed it. Needs JUnit Jupiter on the test classpath.
 *
 * <pre>{@code
 * @BeforeAll
 * static void needsPgBouncer() {
 *     Neighbours.requirePgBouncer();
 * }
 * }</pre>
 */
public final class Neighbours {

    /** The environment variable that marks a CI run; there a missing neighbour fails the test. */
    public static final String CI_ENV = "CI";

    private static final Logger LOG = LoggerFactory.getLogger(Neighbours.class);

    private Neighbours() {
    }

    /** Skips (or in CI fails) the calling test when {@link PgBouncer#unavailable()} gives a reason. */
    public static void requirePgBouncer() {
        require(PgBouncer.unavailable());
    }

    /** Skips (or in CI fails) the calling test when {@link StreamingStandby#unavailable()} gives a reason. */
    public static void requireStandby() {
        require(StreamingStandby.unavailable());
    }

    /**
     * Skips the calling test with this reason when it is present, or, in CI, fails it.
     *
     * @param missing what is missing and how to get it; empty when nothing is
     * @throws IllegalStateException in CI, with the reason
     */
    public static void require(Optional<String> missing) {
        Objects.requireNonNull(missing, "missing");
        require(missing, "true".equalsIgnoreCase(System.getenv(CI_ENV)));
    }

    static void require(Optional<String> missing, boolean ci) {
        if (missing.isEmpty()) {
            return;
        }
        if (ci) {
            throw new IllegalStateException(missing.get() + " (CI=true: CI must provide it, so the test fails instead of being skipped)");
        }
        // A skipped class shows as zero tests in the build's summary; the log says why.
        LOG.warn("Skipping the test: {}", missing.get());
        Assumptions.abort(missing.get());
    }
}
