package dev.cutover.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code cutover.*} properties: the cutovers Flyway's migrations are guarded for, the
 * incident override, the probe timeout and the Stage A monitor. Bound like any Spring Boot
 * property (relaxed names, profiles, environment variables such as {@code CUTOVER_INCIDENT_ID}).
 *
 * <pre>{@code
 * cutover.cutovers[0].table=user
 * cutover.cutovers[0].column=organization_id
 * cutover.cutovers[0].migration=17
 * }</pre>
 *
 * A value that cannot be used fails start-up with Spring Boot's "APPLICATION FAILED TO START",
 * naming the property.
 */
@ConfigurationProperties(prefix = "cutover")
public class CutoverProperties {

    /** Whether the cutover auto-configuration is active. */
    private boolean enabled = true;

    /** The cutovers whose migrations Flyway runs guarded, one entry per NOT NULL cutover. */
    private List<Cutover> cutovers = new ArrayList<>();

    /** The statement_timeout of cutover's checks and probes. */
    private Duration probeTimeout = Duration.ofSeconds(30);

    /** Schema of cutover's own tables (cutover_audit, cutover_observation); default each cutover's schema. */
    private String stateSchema;

    /** An incident that allows a later migration to take a cutover's NOT NULL away; recorded in cutover_audit. */
    private final Incident incident = new Incident();

    /** The Stage A monitor: counts NULLs on a schedule and latches NO_GO when the count rises above the baseline. */
    private final Monitor monitor = new Monitor();

    /** The Micrometer meters (cutover.nulls and the others), when Micrometer is present. */
    private final Metrics metrics = new Metrics();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public List<Cutover> getCutovers() {
        return cutovers;
    }

    public void setCutovers(List<Cutover> cutovers) {
        this.cutovers = cutovers;
    }

    public Duration getProbeTimeout() {
        return probeTimeout;
    }

    public void setProbeTimeout(Duration probeTimeout) {
        this.probeTimeout = probeTimeout;
    }

    public String getStateSchema() {
        return stateSchema;
    }

    public void setStateSchema(String stateSchema) {
        this.stateSchema = stateSchema;
    }

    public Incident getIncident() {
        return incident;
    }

    public Monitor getMonitor() {
        return monitor;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    /** One NOT NULL cutover and the migration that makes it. */
    public static class Cutover {

        /** The table whose column becomes NOT NULL, e.g. user. */
        private String table;

        /** The column that becomes NOT NULL, e.g. organization_id. */
        private String column;

        /** The table's schema. */
        private String schema = "public";

        /** The key columns identifying a row; default the table's primary key. */
        private List<String> key = new ArrayList<>();

        /** The cutover migration: its version (17, 2.1) or its script name (V17__user_org_not_null.sql). */
        private String migration;

        /** The foreign key the column should have after the migration, if any. */
        private final References references = new References();

        /** ON DELETE action of the foreign key: RESTRICT, NO_ACTION, CASCADE, SET_NULL, SET_DEFAULT; default RESTRICT when references is set. */
        private String onDelete;

        /** Name of the foreign key; default found by column and referenced table. */
        private String foreignKey;

        /** Columns shown for NULL rows; default the key. */
        private List<String> inspect = new ArrayList<>();

        /** Column that orders NULL rows newest first; default the key, descending. */
        private String newestFirstBy;

        /** Columns masked in messages, logs and reports. */
        private List<String> sensitive = new ArrayList<>();

        /** The Stage A NULL baseline: the count tolerated by the monitor and shown when the migration is blocked. */
        private long baseline;

        /** How many sample keys the blocking message shows, 1 to 20. */
        private int sampleSize = 3;

        /** The Stage B preflight run before the cutover migration (PreflightCheck beans are added to it). */
        private final Preflight preflight = new Preflight();

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }

        public String getColumn() {
            return column;
        }

        public void setColumn(String column) {
            this.column = column;
        }

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }

        public List<String> getKey() {
            return key;
        }

        public void setKey(List<String> key) {
            this.key = key;
        }

        public String getMigration() {
            return migration;
        }

        public void setMigration(String migration) {
            this.migration = migration;
        }

        public References getReferences() {
            return references;
        }

        public String getOnDelete() {
            return onDelete;
        }

        public void setOnDelete(String onDelete) {
            this.onDelete = onDelete;
        }

        public String getForeignKey() {
            return foreignKey;
        }

        public void setForeignKey(String foreignKey) {
            this.foreignKey = foreignKey;
        }

        public List<String> getInspect() {
            return inspect;
        }

        public void setInspect(List<String> inspect) {
            this.inspect = inspect;
        }

        public String getNewestFirstBy() {
            return newestFirstBy;
        }

        public void setNewestFirstBy(String newestFirstBy) {
            this.newestFirstBy = newestFirstBy;
        }

        public List<String> getSensitive() {
            return sensitive;
        }

        public void setSensitive(List<String> sensitive) {
            this.sensitive = sensitive;
        }

        public long getBaseline() {
            return baseline;
        }

        public void setBaseline(long baseline) {
            this.baseline = baseline;
        }

        public int getSampleSize() {
            return sampleSize;
        }

        public void setSampleSize(int sampleSize) {
            this.sampleSize = sampleSize;
        }

        public Preflight getPreflight() {
            return preflight;
        }
    }

    /** The foreign key a cutover's column should have. */
    public static class References {

        /** The referenced table, e.g. organizations. */
        private String table;

        /** The referenced column, e.g. id. */
        private String column;

        /** The referenced table's schema; default the cutover's schema. */
        private String schema;

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }

        public String getColumn() {
            return column;
        }

        public void setColumn(String column) {
            this.column = column;
        }

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }
    }

    /** The Stage B preflight of one cutover. */
    public static class Preflight {

        /** A query counting unresolved reconciliation items; the preflight fails unless it returns 0. */
        private String reconciliationSql;

        public String getReconciliationSql() {
            return reconciliationSql;
        }

        public void setReconciliationSql(String reconciliationSql) {
            this.reconciliationSql = reconciliationSql;
        }
    }

    /** The incident override: lets a later migration drop a cutover's NOT NULL, recorded in cutover_audit. */
    public static class Incident {

        /** The incident id, e.g. INC-2211 (CUTOVER_INCIDENT_ID in the environment). */
        private String id;

        /** Why the NOT NULL may go; required with the id (CUTOVER_INCIDENT_REASON). */
        private String reason;

        /** Who applies the override (a person or a deploy job), recorded beside the database user. */
        private String actor;

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public String getReason() {
            return reason;
        }

        public void setReason(String reason) {
            this.reason = reason;
        }

        public String getActor() {
            return actor;
        }

        public void setActor(String actor) {
            this.actor = actor;
        }
    }

    /** The Stage A monitor, run on Spring's task scheduler and stopped with the application context. */
    public static class Monitor {

        /** Whether to count each cutover's NULLs on a schedule (Stage A). */
        private boolean enabled;

        /** Time between two evaluations. */
        private Duration every = Duration.ofMinutes(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getEvery() {
            return every;
        }

        public void setEvery(Duration every) {
            this.every = every;
        }
    }

    /** The Micrometer meters. */
    public static class Metrics {

        /** Whether to bind cutover's meters to the application's registry. */
        private boolean enabled = true;

        /** How old the NULL count may be before a scrape of cutover.nulls counts again (the monitor's counts keep it fresh). */
        private Duration countEvery = Duration.ofMinutes(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getCountEvery() {
            return countEvery;
        }

        public void setCountEvery(Duration countEvery) {
            this.countEvery = countEvery;
        }
    }
}
