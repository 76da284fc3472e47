-- opskit job queue, version 6:
-- operator controls per queue, read by every claim of every worker on every machine.
--
-- A queue has a row here only while it is paused or limited; resuming a queue that has no
-- limits, or removing the last limit of a running queue, deletes its row. The claim of a queue
-- without a row stays the plain one-statement claim, guarded by one probe of this primary key
-- (see PgStore.claimSql); a queue with a row is claimed in a transaction that first locks the
-- row (SELECT ... FOR UPDATE), so concurrent claimers of a limited queue take turns and each
-- counts running jobs and recent starts in a snapshot taken after the previous claim committed.
CREATE TABLE queue_controls (
    queue          text        PRIMARY KEY,
    paused         boolean     NOT NULL DEFAULT false,
    -- at most this many jobs of the queue run at once, over all workers
    max_running    integer     CHECK (max_running >= 1),
    -- at most rate_permits starts per rate_period_ms, per value of the payload field rate_key
    -- (per queue when rate_key is null)
    rate_permits   integer     CHECK (rate_permits >= 1),
    rate_period_ms bigint      CHECK (rate_period_ms >= 1),
    rate_key       text        CHECK (rate_key <> ''),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((rate_permits IS NULL) = (rate_period_ms IS NULL)),
    CHECK (rate_key IS NULL OR rate_permits IS NOT NULL)
);

-- The starts of rate-limited queues within their period (a sliding window log): written and
-- pruned by the claim transaction itself, so it holds at most rate_permits rows per key and
-- queue. Rows of other queues are never written.
CREATE TABLE queue_starts (
    queue      text        NOT NULL,
    rate_key   text        NOT NULL,
    started_at timestamptz NOT NULL
);
CREATE INDEX queue_starts_window ON queue_starts (queue, started_at);
