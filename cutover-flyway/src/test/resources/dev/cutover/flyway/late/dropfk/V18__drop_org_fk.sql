alter table "public"."user" drop constraint if exists "user_organization_id_organizations_id_fk";
