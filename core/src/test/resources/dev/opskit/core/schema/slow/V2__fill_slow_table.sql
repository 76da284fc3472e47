INSERT INTO slow_table VALUES (1);
SET search_path TO public;
