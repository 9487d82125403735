ALTER TABLE "user" ALTER COLUMN organization_id SET NOT NULL;
ALTER TABLE "user" ADD CONSTRAINT user_organization_id_organizations_id_fk
    FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE RESTRICT;
