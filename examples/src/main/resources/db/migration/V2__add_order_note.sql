-- Adding a nullable column without a default is instant and takes only a brief lock.
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN note text;
