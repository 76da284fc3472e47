-- Objects the rule corpus refers to. Created inside each case's transaction (and rolled back),
-- and committed once in a scratch database for statements that cannot run in a transaction block.
CREATE ROLE mg_app;
CREATE SCHEMA legacy;
CREATE TABLE legacy.old_stuff (id bigint PRIMARY KEY);
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text CONSTRAINT users_email_check CHECK (email <> ''),
    name text,
    legacy text,
    status text,
    age int,
    created_at timestamptz
);
CREATE INDEX users_email_idx ON users (email);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric, note text);
CREATE TABLE accounts (id bigint PRIMARY KEY, email text, legacy text, balance numeric);
CREATE TABLE old_stuff (id bigint PRIMARY KEY);
CREATE TABLE audit_log (id bigint NOT NULL, msg text);
CREATE TABLE bookings (id bigint PRIMARY KEY, room bigint, during tstzrange);
CREATE TABLE events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TYPE old_type AS (a int, b text);
CREATE SEQUENCE legacy_seq;
CREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';
CREATE MATERIALIZED VIEW user_stats AS SELECT status, count(*) AS n FROM users GROUP BY status;
CREATE UNIQUE INDEX user_stats_status ON user_stats (status);
CREATE FUNCTION old_fn() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TABLE mg_owned (id bigint PRIMARY KEY);
ALTER TABLE mg_owned OWNER TO mg_app;
