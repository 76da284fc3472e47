SET lock_timeout = '5s';
SET statement_timeout = '15min';

-- opskit:approve set-not-null by=carol reason="users has 300 rows; checked in OPS-31"
DO $$
BEGIN
  ALTER TABLE users ALTER COLUMN email SET NOT NULL;
END
$$;
