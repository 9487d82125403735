/* An older version applied out of order; quoted, schema-qualified, in mixed case. */
select 'ALTER TABLE "user" is only text here';
Alter Table If Exists Only public."user" ALTER "organization_id" Drop Not Null;
