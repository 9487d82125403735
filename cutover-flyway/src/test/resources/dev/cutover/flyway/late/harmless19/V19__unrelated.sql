create table unrelated_19 (id int);
