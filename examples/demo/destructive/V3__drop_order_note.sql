-- A destructive change: the column's data is gone for good once this runs.
SET lock_timeout = '5s';
SET statement_timeout = '15min';
ALTER TABLE orders DROP COLUMN note;
