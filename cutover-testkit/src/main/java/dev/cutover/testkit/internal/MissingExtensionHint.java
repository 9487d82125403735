package dev.cutover.testkit.internal;

import dev.cutover.testkit.TestDatabase;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says how to fix a {@link TestDatabase} parameter that JUnit could not resolve because the
 * extension is missing. JUnit's own message ("No ParameterResolver registered for parameter")
 * cannot be changed from outside, so this listener, registered through
 * {@code META-INF/services}, logs the fix next to it. It does nothing for any other failure.
 * Not for direct use.
 */
public final class MissingExtensionHint implements TestExecutionListener {

    private static final Logger LOG = LoggerFactory.getLogger(MissingExtensionHint.class);
    private static final String UNRESOLVED = "No ParameterResolver registered for parameter [" + TestDatabase.class.getName();

    @Override
    public void executionFinished(TestIdentifier testIdentifier, TestExecutionResult testExecutionResult) {
        testExecutionResult.getThrowable().flatMap(MissingExtensionHint::hint)
                .ifPresent(hint -> LOG.atWarn().addKeyValue("test", testIdentifier.getDisplayName()).log(hint));
    }

    /** The fix, when this failure is an unresolved {@link TestDatabase} parameter. */
    public static Optional<String> hint(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().startsWith(UNRESOLVED)) {
                return Optional.of("A TestDatabase parameter needs the cutover extension: annotate the test class with "
                        + "@CutoverTest, or register it with @RegisterExtension static CutoverExtension cutover = "
                        + "CutoverExtension.builder().build(); (a non-static field registers too late for @BeforeAll "
                        + "methods and constructors). JUnit said: " + t.getMessage());
            }
        }
        return Optional.empty();
    }
}
