CREATE TABLE gadgets (id bigint PRIMARY KEY);
INSERT INTO gadgets VALUES (1);
