--liquibase formatted sql

--changeset alice:001-users
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text, legacy_email text);

--changeset alice:001-drop-legacy
SET lock_timeout = '5s';
SET statement_timeout = '15min';
-- opskit:approve drop-column by=alice,bob reason="legacy_email unused since v1.4, backup in OPS-12"
ALTER TABLE users DROP COLUMN legacy_email;
--rollback ALTER TABLE users ADD COLUMN legacy_email text;
