-- opskit job queue, version 2: every graceful shutdown of a Workers runtime leaves a row here.
-- A drain ends just before its process exits, so a counter in that process is gone before
-- Prometheus scrapes it; a row outlives the process, and every other worker (and the next one
-- started) publishes the unclean drains of the last hour (opskit.jobs.drains.unclean). The
-- maintenance leader prunes rows older than 30 days. One row per worker per shutdown: tiny.
CREATE TABLE drains (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id   text        NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    -- false when an outcome was not stored or a job was still running at the hard deadline
    clean       boolean     NOT NULL,
    finished    integer     NOT NULL,
    handed_back integer     NOT NULL,
    interrupted integer     NOT NULL,
    took_ms     bigint      NOT NULL
);
CREATE INDEX drains_finished_at ON drains (finished_at);
