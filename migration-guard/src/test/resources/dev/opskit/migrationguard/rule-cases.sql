-- The rule corpus. Each case starts with a line "-- case: <rule-id> fail|pass [assume-in-transaction]".
-- fail: the rule must fire (unapproved); pass: it must not. "none" pass: no finding at all.
-- Every statement here is also run on a real PostgreSQL 16 (RuleCorpusPostgresTest).

-- case: drop-table fail
DROP TABLE old_stuff;
-- case: drop-table fail
DROP TABLE IF EXISTS legacy.old_stuff, old_stuff;
-- case: drop-table fail
CREATE TABLE IF NOT EXISTS old_stuff (id bigint PRIMARY KEY);
DROP TABLE old_stuff;
-- case: drop-table fail
CREATE FUNCTION mg_begin_param(begin int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
DROP TABLE old_stuff;
-- case: drop-table pass
CREATE TABLE tmp_import (id bigint PRIMARY KEY);
DROP TABLE tmp_import;

-- case: drop-column fail
ALTER TABLE users DROP COLUMN legacy;
-- case: drop-column fail
ALTER TABLE users ADD COLUMN nickname text, DROP COLUMN IF EXISTS legacy;
-- case: drop-column fail
DO $$
BEGIN
  ALTER TABLE users DROP COLUMN legacy;
END
$$;
-- case: drop-column fail
DO $body$
DECLARE
  n int;
BEGIN
  SELECT count(*) INTO n FROM users;
  IF n >= 0 THEN
    EXECUTE 'ALTER TABLE users DROP COLUMN legacy';
  END IF;
END
$body$;
-- case: drop-column fail
DO LANGUAGE plpgsql 'BEGIN ALTER TABLE accounts DROP COLUMN legacy; END';
-- case: drop-column pass
CREATE TABLE t_drop_col (id bigint PRIMARY KEY, x text);
ALTER TABLE t_drop_col DROP COLUMN x;
-- case: drop-column pass
SELECT 'ALTER TABLE users DROP COLUMN legacy' AS text_only;

-- case: drop-schema fail
DROP SCHEMA legacy CASCADE;
-- case: drop-schema pass
CREATE SCHEMA scratch_s;
DROP SCHEMA scratch_s;

-- case: drop-database fail
DROP DATABASE IF EXISTS legacy_reports;
-- case: drop-database pass
SELECT datname FROM pg_database WHERE datname = 'legacy_reports';

-- case: truncate fail
TRUNCATE orders;
-- case: truncate fail
TRUNCATE TABLE ONLY orders, accounts RESTART IDENTITY;
-- case: truncate pass
CREATE TABLE staging (id bigint PRIMARY KEY);
TRUNCATE staging;

-- case: delete-without-where fail
DELETE FROM orders;
-- case: delete-without-where fail
WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone;
-- case: delete-without-where fail
PREPARE mg_wipe AS DELETE FROM orders;
DEALLOCATE mg_wipe;
-- case: delete-without-where fail
EXPLAIN ANALYZE DELETE FROM orders;
-- case: delete-without-where pass
DELETE FROM orders WHERE id = 1;

-- case: update-without-where fail
UPDATE users SET status = 'active';
-- case: update-without-where fail
UPDATE ONLY users AS u SET status = (SELECT 'x' WHERE true);
-- case: update-without-where pass
UPDATE users SET status = 'active' WHERE id = 1;

-- case: drop-sequence fail
DROP SEQUENCE legacy_seq;
-- case: drop-sequence pass
CREATE SEQUENCE tmp_seq;
DROP SEQUENCE tmp_seq;

-- case: drop-cascade fail
DROP VIEW active_users CASCADE;
-- case: drop-cascade pass
DROP VIEW active_users;

-- case: drop-owned fail
DROP OWNED BY mg_app;
-- case: drop-owned pass
GRANT SELECT ON users TO mg_app;

-- case: rename-table fail
ALTER TABLE orders RENAME TO purchases;
-- case: rename-table fail
ALTER TABLE IF EXISTS orders SET SCHEMA legacy;
-- case: rename-table pass
CREATE TABLE t_rename (id bigint PRIMARY KEY);
ALTER TABLE t_rename RENAME TO t_renamed;

-- case: rename-column fail
ALTER TABLE users RENAME COLUMN name TO full_name;
-- case: rename-column fail
ALTER TABLE users RENAME name TO full_name;
-- case: rename-column pass
ALTER TABLE users RENAME CONSTRAINT users_email_check TO users_email_nonempty;

-- case: rename-schema fail
ALTER SCHEMA legacy RENAME TO archive;
-- case: rename-schema pass
ALTER SCHEMA legacy OWNER TO CURRENT_USER;

-- case: alter-column-type fail
ALTER TABLE users ALTER COLUMN age TYPE bigint;
-- case: alter-column-type fail
ALTER TABLE users ALTER age SET DATA TYPE numeric(10, 2) USING age::numeric;
-- case: alter-column-type pass
CREATE TABLE t_type (id bigint PRIMARY KEY, n bigint);
ALTER TABLE t_type ALTER COLUMN n TYPE numeric;

-- case: set-not-null fail
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- case: set-not-null pass
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
-- case: set-not-null pass
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- case: set-not-null pass
ALTER TABLE users ADD CONSTRAINT users_name_present CHECK (name IS NOT NULL AND name <> '');
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
-- case: set-not-null fail
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- case: set-not-null fail
ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL);
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- case: set-not-null fail
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL);
ALTER TABLE users DROP CONSTRAINT users_email_not_null;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- case: set-not-null pass
ALTER TABLE users ADD CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_name_check;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
-- case: set-not-null pass
ALTER TABLE users ADD CONSTRAINT users_named CHECK ((name IS NOT NULL) AND (legacy IS NOT NULL));
ALTER TABLE users ALTER COLUMN legacy SET NOT NULL, ALTER COLUMN name SET NOT NULL;
-- case: set-not-null fail
ALTER TABLE users ADD CONSTRAINT users_name_or CHECK (name IS NOT NULL AND age > 0 OR status = 'legacy');
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
-- case: set-not-null fail
ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users ADD CONSTRAINT users_name_nn CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_name_nn;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- case: set-not-null fail
ALTER TABLE accounts ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE accounts VALIDATE CONSTRAINT email_nn;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- case: set-not-null fail
ALTER TABLE users ADD CHECK (name IS NOT NULL);
ALTER TABLE users DROP CONSTRAINT users_name_check;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
-- case: set-not-null fail
ALTER TABLE orders ADD COLUMN currency text NOT NULL;
-- case: set-not-null pass
ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';
-- case: set-not-null pass
CREATE TABLE t_fresh (id bigint PRIMARY KEY);
ALTER TABLE t_fresh ADD COLUMN label text NOT NULL;

-- case: add-column-volatile-default fail
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- case: add-column-volatile-default fail
ALTER TABLE users ADD COLUMN seen_at timestamptz NOT NULL DEFAULT clock_timestamp();
-- case: add-column-volatile-default fail
ALTER TABLE orders ADD COLUMN seq serial;
-- case: add-column-volatile-default fail
ALTER TABLE orders ADD COLUMN seq "bigserial";
-- case: add-column-volatile-default pass
ALTER TABLE users ADD COLUMN flag boolean DEFAULT false, ADD COLUMN added_at timestamptz DEFAULT now();
-- case: add-column-volatile-default fail
ALTER TABLE users ADD token uuid DEFAULT pg_catalog.gen_random_uuid();
-- case: add-column-volatile-default fail
ALTER TABLE users ADD COLUMN salt text DEFAULT md5(random()::text);
-- case: add-column-volatile-default fail
ALTER TABLE users ADD COLUMN IF NOT EXISTS legacy_no bigint DEFAULT nextval('legacy_seq'::regclass);
-- case: add-column-volatile-default pass
ALTER TABLE users ADD COLUMN note text DEFAULT 'random()', ADD COLUMN seen timestamptz DEFAULT statement_timestamp();

-- case: add-column-serial fail
ALTER TABLE orders ADD COLUMN seq bigserial;
-- case: add-column-serial fail
ALTER TABLE orders ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
-- case: add-column-serial pass
ALTER TABLE orders ADD COLUMN seq bigint;

-- case: add-column-generated-stored fail
ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED;
-- case: add-column-generated-stored pass
CREATE TABLE t_gen (id bigint PRIMARY KEY, a bigint, b bigint GENERATED ALWAYS AS (a * 2) STORED);

-- case: add-column-not-null-without-default fail
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
-- case: add-column-not-null-without-default pass
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 0;

-- case: create-index-non-concurrently fail
CREATE INDEX users_status_idx ON users (status);
-- case: create-index-non-concurrently fail
CREATE UNIQUE INDEX IF NOT EXISTS orders_note_idx ON ONLY orders USING btree (lower(note)) WHERE note IS NOT NULL;
-- case: create-index-non-concurrently pass
CREATE INDEX CONCURRENTLY users_status_idx ON users (status);
-- case: create-index-non-concurrently pass
CREATE TABLE t_idx (id bigint PRIMARY KEY, x text);
CREATE INDEX ON t_idx (x);

-- case: drop-index-non-concurrently fail
DROP INDEX users_email_idx;
-- case: drop-index-non-concurrently pass
DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;

-- case: concurrently-in-transaction fail
BEGIN;
CREATE INDEX CONCURRENTLY users_status_idx ON users (status);
COMMIT;
-- case: concurrently-in-transaction fail assume-in-transaction
COMMENT ON INDEX users_email_idx IS 'going away';
DROP INDEX CONCURRENTLY users_email_idx;
-- case: concurrently-in-transaction fail
START TRANSACTION;
VACUUM users;
END;
-- case: concurrently-in-transaction pass
CREATE INDEX CONCURRENTLY users_status_idx ON users (status);
-- case: concurrently-in-transaction pass assume-in-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_status_idx ON users (status);
REINDEX INDEX CONCURRENTLY users_email_idx;
-- case: concurrently-in-transaction fail assume-in-transaction
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY users_status_idx ON users (status);

-- case: add-foreign-key-validated fail
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
-- case: add-foreign-key-validated fail
ALTER TABLE orders ADD COLUMN account_id bigint REFERENCES accounts (id);
-- case: add-foreign-key-validated pass
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;

-- case: add-check-constraint-validated fail
ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0);
-- case: add-check-constraint-validated pass
ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0) NOT VALID;

-- case: add-unique-constraint fail
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
-- case: add-unique-constraint pass
CREATE UNIQUE INDEX CONCURRENTLY users_email_uq ON users (email);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_uq;

-- case: add-primary-key fail
ALTER TABLE audit_log ADD PRIMARY KEY (id);
-- case: add-primary-key pass
CREATE UNIQUE INDEX CONCURRENTLY audit_log_pk_idx ON audit_log (id);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY USING INDEX audit_log_pk_idx;

-- case: add-exclusion-constraint fail
ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);
-- case: add-exclusion-constraint pass
CREATE TABLE rooms (id bigint PRIMARY KEY, during tstzrange, EXCLUDE USING gist (during WITH &&));

-- case: validate-in-same-transaction fail
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
COMMIT;
-- case: validate-in-same-transaction pass
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;

-- case: vacuum-full fail
VACUUM FULL users;
-- case: vacuum-full fail
VACUUM (FULL, ANALYZE) users;
-- case: vacuum-full pass
VACUUM (ANALYZE) users;

-- case: cluster fail
CLUSTER users USING users_email_idx;
-- case: cluster pass
ALTER TABLE users CLUSTER ON users_email_idx;

-- case: reindex-non-concurrently fail
REINDEX INDEX users_email_idx;
-- case: reindex-non-concurrently pass
REINDEX INDEX CONCURRENTLY users_email_idx;
-- case: reindex-non-concurrently fail
REINDEX (CONCURRENTLY false) INDEX users_email_idx;
-- case: reindex-non-concurrently fail
REINDEX (VERBOSE, CONCURRENTLY off) TABLE users;
-- case: require-lock-timeout fail
SET statement_timeout = '15min';
REINDEX (CONCURRENTLY false) INDEX users_email_idx;
-- case: require-statement-timeout fail
SET lock_timeout = '5s';
REINDEX (CONCURRENTLY false) INDEX users_email_idx;
-- case: reindex-non-concurrently pass
REINDEX (VERBOSE) TABLE CONCURRENTLY users;

-- case: detach-partition-non-concurrently fail
ALTER TABLE events DETACH PARTITION events_2024;
-- case: detach-partition-non-concurrently pass
ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;

-- case: refresh-materialized-view-non-concurrently fail
REFRESH MATERIALIZED VIEW user_stats;
-- case: refresh-materialized-view-non-concurrently pass
REFRESH MATERIALIZED VIEW CONCURRENTLY user_stats;

-- case: transaction-nesting fail
BEGIN;
SELECT 1;
BEGIN;
COMMIT;
-- case: transaction-nesting fail assume-in-transaction
SELECT 1;
COMMIT;
-- case: transaction-nesting pass
BEGIN;
SELECT 1;
COMMIT;
-- case: transaction-nesting fail
BEGIN;
SELECT 1;
COMMIT;
COMMIT;
-- case: transaction-nesting fail
SELECT 1;
ROLLBACK;
-- case: transaction-nesting fail assume-in-transaction
ALTER TABLE users ADD COLUMN bio text;
ROLLBACK;
-- case: transaction-nesting pass
BEGIN;
SELECT 1;
COMMIT;
BEGIN;
SELECT 2;
ROLLBACK;
-- case: transaction-nesting fail assume-in-transaction
BEGIN;
ALTER TABLE users ADD COLUMN bio text;
COMMIT;
-- case: transaction-nesting fail
START TRANSACTION;
SELECT 1;
END;
ABORT;

-- case: require-lock-timeout fail
ALTER TABLE users ADD COLUMN bio text;
-- case: require-lock-timeout pass
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN bio text;
-- case: require-lock-timeout pass
SET LOCAL lock_timeout TO 5000;
ALTER TABLE users ADD COLUMN bio text;
-- case: require-lock-timeout pass
SELECT set_config('lock_timeout', '5s', false);
ALTER TABLE users ADD COLUMN bio text;
-- case: require-statement-timeout pass
SELECT set_config('lock_timeout', '5s', false), pg_catalog.set_config('statement_timeout', '15min', false);
ALTER TABLE users ADD COLUMN bio text;
-- case: require-lock-timeout fail
SELECT set_config('lock_timeout', '0', false);
ALTER TABLE users ADD COLUMN bio text;
-- case: require-lock-timeout fail
BEGIN;
SELECT set_config('lock_timeout', '5s', true);
COMMIT;
ALTER TABLE users ADD COLUMN bio text;
-- case: require-lock-timeout fail
SET lock_timeout = '5s';
DISCARD ALL;
ALTER TABLE users ADD COLUMN bio text;

-- case: alter-enum-value fail
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'angry' AFTER 'happy';
-- case: alter-enum-value fail
ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
-- case: alter-enum-value pass
ALTER TYPE mood OWNER TO CURRENT_USER;

-- case: alter-table-set-logged fail
ALTER TABLE orders SET UNLOGGED;
-- case: alter-table-set-logged pass
CREATE TABLE t_logged (id bigint PRIMARY KEY);
ALTER TABLE t_logged SET UNLOGGED;

-- case: set-tablespace fail
ALTER TABLE orders SET TABLESPACE pg_default;
-- case: set-tablespace pass
ALTER TABLE orders SET (fillfactor = 90);

-- case: lock-table fail
LOCK TABLE users IN SHARE MODE;
-- case: lock-table pass
SELECT count(*) FROM users;

-- case: drop-view fail
DROP MATERIALIZED VIEW user_stats;
-- case: drop-view pass
CREATE OR REPLACE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';

-- case: drop-function fail
DROP FUNCTION old_fn();
-- case: drop-function pass
CREATE OR REPLACE FUNCTION old_fn() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;

-- case: drop-type fail
DROP TYPE old_type;
-- case: drop-type pass
CREATE TYPE new_type AS (a bigint, b text);

-- case: unparsed-statement fail
DO $$ BEGIN EXECUTE format('SELECT %L', 'x'); END $$;
-- case: unparsed-statement pass
DO $$ BEGIN EXECUTE 'SELECT 1'; PERFORM 1; RAISE NOTICE 'done'; END $$;
-- case: unparsed-statement pass
CREATE EXTENSION IF NOT EXISTS pgcrypto;
COMMENT ON TABLE users IS 'people';
GRANT SELECT ON users TO PUBLIC;
REVOKE SELECT ON users FROM PUBLIC;
INSERT INTO orders (id, total) VALUES (1, 2.5);
CREATE SEQUENCE IF NOT EXISTS s2;
CREATE SCHEMA IF NOT EXISTS app;
CREATE TYPE status AS ENUM ('a', 'b');
CREATE VIEW v AS SELECT 1 AS one;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
ANALYZE users;
SELECT set_config('app.x', '1', false);
SHOW search_path;

-- case: prefer-bigint fail
CREATE TABLE counters (id bigint PRIMARY KEY, hits integer);
-- case: prefer-bigint fail
ALTER TABLE orders ADD COLUMN qty smallint;
-- case: prefer-bigint pass
CREATE TABLE counters (id bigint PRIMARY KEY, hits bigint);

-- case: prefer-text fail
CREATE TABLE people (id bigint PRIMARY KEY, name varchar(255));
-- case: prefer-text fail
CREATE TABLE people (id bigint PRIMARY KEY, name character varying(40) NOT NULL);
-- case: prefer-text pass
CREATE TABLE people (id bigint PRIMARY KEY, name text CHECK (char_length(name) <= 255), alias varchar);

-- case: prefer-timestamptz fail
CREATE TABLE logins (id bigint PRIMARY KEY, at timestamp);
-- case: prefer-timestamptz fail
ALTER TABLE orders ADD COLUMN shipped_at timestamp(3) without time zone;
-- case: prefer-timestamptz pass
CREATE TABLE logins (id bigint PRIMARY KEY, at timestamptz, at2 timestamp with time zone);

-- case: ban-char fail
CREATE TABLE countries (id bigint PRIMARY KEY, code char(2));
-- case: ban-char fail
CREATE TABLE countries (id bigint PRIMARY KEY, code character(2));
-- case: ban-char fail
CREATE TABLE countries (id bigint PRIMARY KEY, code "bpchar"(2));
-- case: ban-char fail
ALTER TABLE orders ALTER COLUMN note TYPE char(1);
-- case: ban-char fail
ALTER TABLE orders ADD COLUMN currency character(3);
-- case: ban-char fail
CREATE DOMAIN country_code AS char(2) CHECK (VALUE ~ '^[A-Z]{2}$');
-- case: ban-char fail
CREATE TYPE money_amount AS (amount numeric, currency character(3));
-- case: ban-char fail
CREATE VIEW user_initials AS SELECT id, name::char(1) AS initial FROM users;
-- case: ban-char fail
CREATE TABLE codes AS SELECT CAST(status AS character(4)) AS code FROM users;
-- case: ban-char pass
CREATE DOMAIN country_code AS text CHECK (length(VALUE) = 2);
-- case: ban-char fail
CREATE TABLE flags (id bigint PRIMARY KEY, marker char);
-- case: ban-char fail
CREATE TABLE flags (id bigint PRIMARY KEY, codes character(3)[]);
-- case: ban-char fail
CREATE TABLE flags (id bigint PRIMARY KEY, codes char(2) ARRAY[4]);
-- case: ban-char fail
ALTER TABLE orders ADD COLUMN region_code text DEFAULT CAST('EU' AS pg_catalog.bpchar(2));
-- case: ban-char pass
CREATE TABLE flags (id bigint PRIMARY KEY, kind pg_catalog.char, codes text[]);
-- case: ban-char pass
CREATE TABLE countries (id bigint PRIMARY KEY, code text, kind "char", name character varying);

-- case: prefer-identity fail
CREATE TABLE tickets (id bigserial PRIMARY KEY);
-- case: prefer-identity fail
CREATE TABLE tickets (id "serial" PRIMARY KEY);
-- case: prefer-identity fail
CREATE TABLE tickets (id "bigserial" PRIMARY KEY);
-- case: prefer-identity pass
CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);

-- case: drop-not-null fail
ALTER TABLE audit_log ALTER COLUMN id DROP NOT NULL;
-- case: drop-not-null pass
CREATE TABLE t_nn (id bigint PRIMARY KEY, x text NOT NULL);
ALTER TABLE t_nn ALTER COLUMN x DROP NOT NULL;

-- case: require-statement-timeout fail
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN bio text;
-- case: require-statement-timeout pass
SET lock_timeout = '5s';
SET statement_timeout = '15min';
ALTER TABLE users ADD COLUMN bio text;

-- case: identifier-too-long fail
CREATE TABLE this_table_name_is_much_too_long_for_postgresql_to_keep_it_whole_x (id bigint PRIMARY KEY);
-- case: identifier-too-long fail
DROP TABLE IF EXISTS this_table_name_is_much_too_long_for_postgresql_to_keep_it_whole_x;
-- case: identifier-too-long fail
DROP INDEX IF EXISTS this_index_name_is_much_too_long_for_postgresql_to_keep_it_whole_x;
-- case: identifier-too-long pass
CREATE TABLE this_table_name_is_long_but_still_fits_in_sixty_three_bytes_ok (id bigint PRIMARY KEY);

-- case: create-table-without-pk fail
CREATE TABLE audit_events (at timestamptz, msg text);
-- case: create-table-without-pk pass
CREATE TABLE audit_events (id bigint, at timestamptz, msg text, PRIMARY KEY (id));
-- case: create-table-without-pk pass
CREATE TABLE audit_events (id bigint NOT NULL, msg text);
ALTER TABLE audit_events ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id);

-- case: drop-constraint fail
ALTER TABLE users DROP CONSTRAINT users_email_check;
-- case: drop-constraint pass
ALTER TABLE users RENAME CONSTRAINT users_email_check TO users_email_nonempty;

-- case: disable-trigger fail
ALTER TABLE users DISABLE TRIGGER ALL;
-- case: disable-trigger pass
ALTER TABLE users ENABLE TRIGGER ALL;

-- case: backfill-in-migration fail
UPDATE users SET status = 'active' WHERE status IS NULL;
-- case: backfill-in-migration pass
CREATE TABLE t_fill (id bigint PRIMARY KEY, s text);
UPDATE t_fill SET s = 'x' WHERE s IS NULL;

-- case: approval-insufficient fail
-- opskit:approve drop-column by=alice reason="column unused since v1.4, ticket OPS-12"
ALTER TABLE users DROP COLUMN legacy;
-- case: approval-insufficient fail
-- opskit:approve drop-column by=alice,ALICE reason="same person twice does not count"
ALTER TABLE users DROP COLUMN legacy;
-- case: approval-insufficient fail
-- opskit:approve set-not-null by=alice
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- case: approval-insufficient pass
-- opskit:approve drop-column by=alice,bob reason="column unused since v1.4, ticket OPS-12"
ALTER TABLE users DROP COLUMN legacy;

-- case: approval-unknown-rule fail
-- opskit:approve drop-colum by=alice,bob reason="typo in the rule id"
ALTER TABLE users DROP COLUMN legacy;
-- case: approval-unknown-rule pass
-- opskit:approve drop-column by=alice,bob reason="right id"
ALTER TABLE users DROP COLUMN legacy;

-- case: approval-unused fail
-- opskit:approve drop-table by=alice,bob reason="nothing to approve here"
SELECT 1;
-- case: approval-unused pass
/* opskit:approve truncate by=alice,bob reason="staging data only" */
TRUNCATE orders;

-- case: none pass
-- DROP TABLE users; TRUNCATE orders; DELETE FROM orders
/* nested /* DROP SCHEMA legacy CASCADE; */ still a comment: ALTER TABLE users DROP COLUMN legacy; */
SELECT 'DROP TABLE users; -- not a comment' AS a,
       E'it\'s \\ ALTER TABLE users DROP COLUMN legacy;' AS b,
       U&'d\0061t\+000061 TRUNCATE orders' AS c,
       $$DROP DATABASE prod; DELETE FROM orders$$ AS d,
       $tag$ $$ UPDATE users SET status = 'x' $$ $tag$ AS e,
       1 AS "DROP TABLE users; TRUNCATE ""orders""",
       2 AS U&"drop\0020table";
-- case: none pass
CREATE FUNCTION sql_body(a bigint) RETURNS bigint LANGUAGE sql
BEGIN ATOMIC
  SELECT a + 1;
  SELECT CASE WHEN a > 0 THEN a ELSE 0 END;
END;
-- case: none pass
PREPARE q AS SELECT $1::bigint + 1;
EXECUTE q(41);
DEALLOCATE q;
-- case: none pass
CREATE FUNCTION dollar_body() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  DROP TABLE IF EXISTS users;
  DELETE FROM orders;
END
$fn$;
