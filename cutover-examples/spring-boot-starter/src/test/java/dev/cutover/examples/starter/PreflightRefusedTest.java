package dev.cutover.examples.starter;

import static dev.cutover.examples.starter.StartupRefusedTest.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The preflight configured by {@code cutover.cutovers[0].preflight.reconciliation-sql} blocks V17
 * while a signup waits for reconciliation.
 */
@CutoverTest
@ExtendWith(OutputCaptureExtension.class)
class PreflightRefusedTest {

    @Test
    void refusesToStartWhenThePreflightFails(TestDatabase db, CapturedOutput output) {
        Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").target("16").load().migrate();
        db.execute("insert into signup_finalize_failures (email) values ('eve@example.com')");

        assertThatThrownBy(() -> start(db).close()).hasStackTraceContaining("Migration 17 blocked: the preflight");
        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("[FAIL] reconciliation clear")
                .contains("Action:\n\nResolve each failed preflight check above");
        assertThat(db.queryForLong("select count(*) from flyway_schema_history where version = '17'")).isZero();
    }
}
