package dev.cutover.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that gets a real PostgreSQL: a fresh database for the class, handed to test
 * and lifecycle methods as a {@link TestDatabase} parameter and dropped after the class.
 *
 * <pre>{@code
 * @CutoverTest
 * class UserOrgCutoverTest {
 *     @Test
 *     void migrationWaitsForRemediation(TestDatabase db) {
 *         db.flyway().target("1").load().migrate();   // the schema as production has it today
 *         ...
 *     }
 * }
 * }</pre>
 *
 * The server comes from the provider chain: {@code CUTOVER_TEST_JDBC_URL} (or
 * {@code -Dcutover.test.jdbc-url}) if set, else Testcontainers when Docker answers, else
 * embedded PostgreSQL; one server per JVM. For options in code use
 * {@code @RegisterExtension static CutoverExtension cutover = CutoverExtension.builder()...build();}
 * instead of this annotation.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(CutoverExtension.class)
public @interface CutoverTest {

    /**
     * The PostgreSQL major version (12 to 18) of an embedded or container server; 0, the
     * default, means the provider chain's choice (an explicit JDBC URL, else version
     * {@code -Dcutover.test.postgres-version}, else 18).
     */
    int postgresVersion() default 0;

    /** Flyway locations for {@link TestDatabase#flyway()}; empty means Flyway's default, {@code classpath:db/migration}. */
    String[] flywayLocations() default {};
}
