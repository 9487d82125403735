/**
 * The runbook's "Apply Migration" step without downtime: the column becomes NOT NULL, and the
 * foreign key is added, in short steps that never queue behind a long transaction.
 *
 * <pre>{@code
 * MigrationReport report = NotNullMigration.builder(db, cutover).build().run();
 * }</pre>
 */
package dev.cutover.core.migrate;
