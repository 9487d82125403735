alter table accounts alter column team_id set not null;
