-- Takes the NOT NULL away outside a transaction, with the names given as placeholders.
ALTER TABLE ${flyway:defaultSchema}.${users} ALTER COLUMN ${column} DROP NOT NULL;
