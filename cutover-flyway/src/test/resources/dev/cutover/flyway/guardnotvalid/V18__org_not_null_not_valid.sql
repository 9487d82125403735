-- PostgreSQL 18: the column still says NOT NULL, but its constraint no longer covers existing rows.
ALTER TABLE "user" ALTER COLUMN organization_id DROP NOT NULL;
ALTER TABLE "user" ADD CONSTRAINT user_organization_id_not_null NOT NULL organization_id NOT VALID;
