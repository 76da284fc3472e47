-- opskit job queue, version 5: recurring jobs. One row per schedule name, written only by the
-- workers that declare the schedule in code. last_due is the compare-and-set that makes each due
-- time enqueue exactly one job across any number of worker processes: a worker moves it from the
-- value it read to the due time (UPDATE ... WHERE last_due IS NOT DISTINCT FROM <read>, the row
-- locked with SKIP LOCKED) and inserts the job in the same transaction; whoever finds the row
-- moved or locked enqueues nothing. Times come from the workers' clocks. A handful of rows that
-- change once per due time: no index beyond the key.
CREATE TABLE schedules (
    name        text        PRIMARY KEY,
    -- as last declared: 'cron <expression> <zone>' or 'every <ISO-8601 duration>'
    spec        text        NOT NULL,
    kind        text        NOT NULL,
    queue       text        NOT NULL,
    -- the latest due time enqueued or skipped by catch-up; NULL until the first
    last_due    timestamptz,
    -- the due time after last_due, for listings only
    next_due    timestamptz,
    -- first declaration: earlier due times are never caught up
    created_at  timestamptz NOT NULL,
    -- last check-in of a worker declaring it; listed as not declared after 5 minutes, deleted after 7 days
    seen_at     timestamptz NOT NULL,
    enqueued_at timestamptz
);
