/**
 * A read-only view of the PostgreSQL catalog as cutover sees it: a column's nullability and
 * the constraint that enforces it, foreign keys with their target, validation state and
 * ON DELETE action, and the check and display of names. Read through
 * {@link dev.cutover.core.CutoverDatabase}.
 *
 * <pre>{@code
 * ColumnState state = db.column("public", "user", "organization_id").orElseThrow();
 * Optional<ForeignKey> fk = db.foreignKey("public", "user", "user_organization_id_fkey");
 * }</pre>
 */
package dev.cutover.core.catalog;
