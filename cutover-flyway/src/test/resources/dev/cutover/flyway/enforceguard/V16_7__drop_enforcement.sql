-- Takes away what the enforce phase added (PostgreSQL 12 to 17 name, then 18's).
alter table "user" drop constraint if exists user_organization_id_cutover_not_null;
alter table "user" drop constraint if exists user_organization_id_not_null;
