package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import java.util.Map;

/** One cutover on one database: a line of a fleet's output. */
record Target(Connections.Address address, CutoverSpec spec, NotNullCutover cutover) {

    /** The fields every per-target JSON object starts with. */
    Map<String, Object> json() {
        return Json.object("target", address.display(), "schema", cutover.schema(), "table", cutover.table(), "column",
                cutover.column(), "subject", cutover.subject());
    }

    /** {@code jdbc:postgresql://host:5432/db public."user".organization_id}, for text output. */
    String label() {
        return address.display() + " " + cutover.subject();
    }

    CutoverDatabase database(Connections connections) {
        return connections.database(address.url());
    }
}
