insert into callback_log (event) values ('afterEachMigrate');
