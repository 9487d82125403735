package dev.cutover.testkit.db;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class NeighboursTest {

    @Test
    void nothingMissingLetsTheTestRun() {
        assertThatCode(() -> Neighbours.require(Optional.empty(), true)).doesNotThrowAnyException();
        assertThatCode(() -> Neighbours.require(Optional.empty(), false)).doesNotThrowAnyException();
    }

    @Test
    void somethingMissingSkipsTheTestOnADevelopersMachine() {
        assertThatThrownBy(() -> Neighbours.require(Optional.of("PgBouncer is not installed"), false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessage("PgBouncer is not installed");
    }

    @Test
    void somethingMissingFailsTheTestInCi() {
        assertThatThrownBy(() -> Neighbours.require(Optional.of("PgBouncer is not installed"), true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("PgBouncer is not installed (CI=true: CI must provide it, so the test fails instead of being skipped)");
    }
}
