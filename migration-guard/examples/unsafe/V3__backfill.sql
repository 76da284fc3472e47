SET lock_timeout = '5s';
SET statement_timeout = '15min';

DO $$
BEGIN
  -- DDL inside DO blocks is checked too
  ALTER TABLE users ALTER COLUMN email SET NOT NULL;
END
$$;
