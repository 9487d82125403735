-- Drops the referenced table, and with it the foreign key, outside a transaction.
DROP TABLE organizations CASCADE;
