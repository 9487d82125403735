create table unrelated (id int);
