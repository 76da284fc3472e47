-- A destructive change: the column's data is gone for good once this runs.
SET lock_timeout = '5s';
ALTER TABLE orders DROP COLUMN note;
