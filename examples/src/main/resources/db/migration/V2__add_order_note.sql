-- Adding a nullable column without a default is instant and takes only a brief lock.
SET lock_timeout = '5s';
SET statement_timeout = '15min';
ALTER TABLE orders ADD COLUMN note text;
