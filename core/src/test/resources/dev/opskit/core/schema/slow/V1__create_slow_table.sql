-- Slow on purpose, so that a second installer starting at the same time must wait for the lock.
SELECT pg_sleep(1);
CREATE TABLE slow_table (id bigint PRIMARY KEY);
-- A sequence: a second application of this script would advance it twice.
CREATE SEQUENCE slow_applications;
SELECT nextval('slow_applications');
