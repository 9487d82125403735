-- The cutover: every user belongs to an organization from now on.
alter table "user" alter column organization_id set not null;
alter table "user" add constraint user_organization_id_organizations_id_fk
    foreign key (organization_id) references organizations (id) on delete restrict;
