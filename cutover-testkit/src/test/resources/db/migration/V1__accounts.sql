create table accounts (id bigint primary key, owner text not null);
insert into accounts values (1, 'ann');
