-- opskit job queue, version 3: cancelling a running job (cooperatively).
-- JobQueue.requestCancel(id) of a running job sets cancel_requested_at; the worker that runs it
-- reads the flag back from its next lease extension (the same statement, no extra query) and
-- interrupts the handler. While it is set the job never goes back to waiting: every statement
-- that would hand it back, retry it, postpone it, bury it or rescue it after an expired lease
-- moves it to finished_jobs as 'cancelled' instead. A successful completion still completes it
-- (the handler returned before it was told). Nullable without a default: adding it rewrites
-- nothing, and the claim never reads it (a job that waits never carries it).
ALTER TABLE jobs ADD COLUMN cancel_requested_at timestamptz;
