package db.example;

import dev.cutover.runbook.RunbookSchema;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/** The schema as production has it today: the runbook's tables ({@link RunbookSchema#DDL}), organization_id nullable. */
public class V1__runbook_tables extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement statement = context.getConnection().createStatement()) {
            statement.execute(RunbookSchema.DDL);
        }
    }
}
