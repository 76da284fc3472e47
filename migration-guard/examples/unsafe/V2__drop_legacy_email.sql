SET lock_timeout = '5s';
SET statement_timeout = '15min';

-- The app stopped reading legacy_email in v1.4.
ALTER TABLE users DROP COLUMN legacy_email;
