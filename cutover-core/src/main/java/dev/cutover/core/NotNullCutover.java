package dev.cutover.core;

import dev.cutover.core.internal.Identifiers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What is to become NOT NULL, and what goes with it: the column, the key that identifies
 * rows, the foreign key it should end up with, and which columns people may see when rows
 * are inspected. Immutable; identifiers are checked when {@link Builder#build()} runs, and
 * the objects they name are checked against the database on first use.
 *
 * <pre>{@code
 * NotNullCutover cutover = NotNullCutover.builder("user", "organization_id")
 *     .references("organizations", "id")
 *     .onDelete(ReferentialAction.RESTRICT)
 *     .foreignKey("user_organization_id_organizations_id_fk")
 *     .inspect("id", "email", "created_at")
 *     .newestFirstBy("created_at")
 *     .sensitive("email")
 *     .build();
 * }</pre>
 *
 * Names are used exactly as given and always quoted: {@code "user"}, {@code "Org ID"} and
 * {@code organization_id} all work.
 */
public final class NotNullCutover {

    private final String schema;
    private final String table;
    private final String column;
    private final List<String> key;
    private final String referencedSchema;
    private final String referencedTable;
    private final String referencedColumn;
    private final ReferentialAction onDelete;
    private final String foreignKey;
    private final List<String> inspect;
    private final String newestFirstBy;
    private final Set<String> sensitive;

    private NotNullCutover(Builder b) {
        this.schema = b.schema;
        this.table = b.table;
        this.column = b.column;
        this.key = List.copyOf(b.key);
        this.referencedSchema = b.referencedTable == null ? null : Objects.requireNonNullElse(b.referencedSchema, b.schema);
        this.referencedTable = b.referencedTable;
        this.referencedColumn = b.referencedColumn;
        this.onDelete = b.referencedTable == null ? null : Objects.requireNonNullElse(b.onDelete, ReferentialAction.RESTRICT);
        this.foreignKey = b.foreignKey;
        this.inspect = List.copyOf(b.inspect);
        this.newestFirstBy = b.newestFirstBy;
        this.sensitive = Collections.unmodifiableSet(new LinkedHashSet<>(b.sensitive));
    }

    /** Starts a cutover of {@code table.column}, in schema {@code public} unless {@link Builder#schema} says otherwise. */
    public static Builder builder(String table, String column) {
        return new Builder(table, column);
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    public String column() {
        return column;
    }

    /** The key columns given with {@link Builder#key}; empty means "the table's primary key". */
    public List<String> key() {
        return key;
    }

    /** The table the column should reference, when a foreign key is expected. */
    public Optional<String> referencedTable() {
        return Optional.ofNullable(referencedTable);
    }

    /** The schema of the referenced table (the cutover's own schema unless given). */
    public Optional<String> referencedSchema() {
        return Optional.ofNullable(referencedSchema);
    }

    /** The column the foreign key should reference. */
    public Optional<String> referencedColumn() {
        return Optional.ofNullable(referencedColumn);
    }

    /** The ON DELETE action the foreign key should have ({@code RESTRICT} unless given). */
    public Optional<ReferentialAction> onDelete() {
        return Optional.ofNullable(onDelete);
    }

    /** The foreign key's name, when given; otherwise it is discovered. */
    public Optional<String> foreignKey() {
        return Optional.ofNullable(foreignKey);
    }

    /** Columns shown when NULL rows are inspected; empty means the key columns. */
    public List<String> inspect() {
        return inspect;
    }

    /** The column ordering NULL rows newest first, if given (else the key, descending). */
    public Optional<String> newestFirstBy() {
        return Optional.ofNullable(newestFirstBy);
    }

    /** Columns masked in messages, logs and reports. */
    public Set<String> sensitive() {
        return sensitive;
    }

    /** {@code public."user".organization_id}: the subject of every message about this cutover. */
    public String subject() {
        return Identifiers.display(schema, table) + "." + Identifiers.display(column);
    }

    /** {@code public."user"}. */
    public String qualifiedTable() {
        return Identifiers.display(schema, table);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof NotNullCutover other
                && schema.equals(other.schema) && table.equals(other.table) && column.equals(other.column)
                && key.equals(other.key) && Objects.equals(referencedSchema, other.referencedSchema)
                && Objects.equals(referencedTable, other.referencedTable)
                && Objects.equals(referencedColumn, other.referencedColumn) && onDelete == other.onDelete
                && Objects.equals(foreignKey, other.foreignKey) && inspect.equals(other.inspect)
                && Objects.equals(newestFirstBy, other.newestFirstBy) && sensitive.equals(other.sensitive);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, table, column, key, referencedSchema, referencedTable, referencedColumn, onDelete,
                foreignKey, inspect, newestFirstBy, sensitive);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("NotNullCutover[").append(subject());
        if (!key.isEmpty()) {
            s.append(", key=").append(key);
        }
        if (referencedTable != null) {
            s.append(", references ").append(Identifiers.display(referencedSchema, referencedTable)).append('(')
                    .append(Identifiers.display(referencedColumn)).append(") ON DELETE ").append(onDelete.sql());
        }
        if (foreignKey != null) {
            s.append(", foreignKey=").append(foreignKey);
        }
        return s.append(']').toString();
    }

    /** Collects the settings; each setter checks its argument at once, {@link #build()} checks them together. */
    public static final class Builder {
        private String schema = "public";
        private final String table;
        private final String column;
        private final List<String> key = new ArrayList<>();
        private String referencedSchema;
        private String referencedTable;
        private String referencedColumn;
        private ReferentialAction onDelete;
        private String foreignKey;
        private final List<String> inspect = new ArrayList<>();
        private String newestFirstBy;
        private final Set<String> sensitive = new LinkedHashSet<>();

        private Builder(String table, String column) {
            this.table = Identifiers.require("table", table);
            this.column = Identifiers.require("column", column);
        }

        /** The table's schema; default {@code public}. */
        public Builder schema(String schema) {
            this.schema = Identifiers.require("schema", schema);
            return this;
        }

        /** The columns that identify a row; default the table's primary key. */
        public Builder key(String... columns) {
            if (!key.isEmpty()) {
                throw new CutoverConfigurationException("key was already set to " + key);
            }
            if (columns.length == 0) {
                throw new CutoverConfigurationException("key needs at least one column");
            }
            for (String c : columns) {
                String checked = Identifiers.require("key column", c);
                if (key.contains(checked)) {
                    throw new CutoverConfigurationException("key names column " + Identifiers.display(c) + " twice");
                }
                key.add(checked);
            }
            return this;
        }

        /** The column should reference {@code table(column)} in the cutover's schema. */
        public Builder references(String table, String column) {
            return references(null, table, column);
        }

        /** The column should reference {@code schema.table(column)}; a {@code null} schema means the cutover's own. */
        public Builder references(String schema, String table, String column) {
            if (referencedTable != null) {
                throw new CutoverConfigurationException("references was already set to " + referencedTable + "(" + referencedColumn + ")");
            }
            this.referencedSchema = schema == null ? null : Identifiers.require("referenced schema", schema);
            this.referencedTable = Identifiers.require("referenced table", table);
            this.referencedColumn = Identifiers.require("referenced column", column);
            return this;
        }

        /** The foreign key's ON DELETE action; default {@code RESTRICT}, as the runbook expects. */
        public Builder onDelete(ReferentialAction action) {
            this.onDelete = Objects.requireNonNull(action, "onDelete");
            return this;
        }

        /** The foreign key's constraint name; default: found by its column and target. */
        public Builder foreignKey(String name) {
            this.foreignKey = Identifiers.require("foreign key name", name);
            return this;
        }

        /** Columns shown when NULL rows are inspected (the runbook: id, email, created_at). */
        public Builder inspect(String... columns) {
            if (!inspect.isEmpty()) {
                throw new CutoverConfigurationException("inspect was already set to " + inspect);
            }
            for (String c : columns) {
                String checked = Identifiers.require("inspect column", c);
                if (!inspect.contains(checked)) {
                    inspect.add(checked);
                }
            }
            return this;
        }

        /** The column that orders NULL rows newest first when inspecting (the runbook: created_at). */
        public Builder newestFirstBy(String column) {
            this.newestFirstBy = Identifiers.require("newestFirstBy column", column);
            return this;
        }

        /** Columns whose values are masked ({@code j***@example.com}) wherever they are shown. */
        public Builder sensitive(String... columns) {
            for (String c : columns) {
                sensitive.add(Identifiers.require("sensitive column", c));
            }
            return this;
        }

        /**
         * Checks the settings together and returns the immutable cutover.
         *
         * @throws CutoverConfigurationException naming what is wrong
         */
        public NotNullCutover build() {
            if (foreignKey != null && referencedTable == null) {
                throw new CutoverConfigurationException("foreignKey(" + foreignKey + ") needs references(table, column): "
                        + "say which table and column the foreign key should point at");
            }
            if (onDelete != null && referencedTable == null) {
                throw new CutoverConfigurationException("onDelete(" + onDelete.sql() + ") needs references(table, column)");
            }
            if (key.contains(column)) {
                throw new CutoverConfigurationException("key column " + Identifiers.display(column)
                        + " is the column becoming NOT NULL; a key must identify rows whatever that column holds");
            }
            return new NotNullCutover(this);
        }
    }
}
