create table if not exists callback_log (id bigint generated always as identity, event text not null);
insert into callback_log (event) values ('beforeMigrate');
