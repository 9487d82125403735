package dev.cutover.flyway;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.preflight.PostMigrationSmoke;
import dev.cutover.flyway.internal.FlywayConnectionDataSource;
import java.time.Duration;
import org.flywaydb.core.api.callback.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the cutover migration verified, records that its post-migration smoke run is due
 * ({@link PostMigrationSmoke#markDue}), on Flyway's connection, so it commits with the migration.
 * The smoke checks themselves run only once the application serves (the starter does it on
 * Spring Boot's ready event; elsewhere the application calls {@link PostMigrationSmoke#runIfDue()}):
 * before that they would prove little. A failure to record it never fails the verified migration.
 */
final class SmokeRunDue {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverCallback.class);

    private SmokeRunDue() {
    }

    static void mark(Context context, NotNullCutover cutover, String stateSchema, Duration probeTimeout, String migration) {
        try {
            CutoverDatabase.Builder b = CutoverDatabase.builder(new FlywayConnectionDataSource(context.getConnection()))
                    .probeTimeout(probeTimeout);
            if (stateSchema != null) {
                b.stateSchema(stateSchema);
            }
            PostMigrationSmoke.of(b.build(), cutover).markDue(migration);
        } catch (CutoverException e) {
            LOG.atError().addKeyValue("migration", migration).addKeyValue("target", cutover.subject())
                    .log("Migration {} is verified, but its post-migration smoke run could not be marked due: {} Run the smoke "
                            + "checks yourself once the application serves (PostMigrationSmoke.run()).", migration, e.getMessage());
        }
    }
}
