-- Takes the NOT NULL away outside a transaction: it would commit before any check after it.
ALTER TABLE "user" ALTER COLUMN organization_id DROP NOT NULL;
