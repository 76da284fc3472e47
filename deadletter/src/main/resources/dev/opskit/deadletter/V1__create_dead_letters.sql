-- Dead letters: work that failed for good. Unqualified names: the installer sets search_path.
CREATE TABLE dead_letters (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source            text        NOT NULL,
    kind              text        NOT NULL,
    payload           jsonb       NOT NULL,
    headers           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    idempotency_key   text,
    error_type        text,
    cause_type        text,
    message           text,
    stack_trace       text,
    attempts          integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    first_failed_at   timestamptz,
    last_failed_at    timestamptz,
    died_at           timestamptz NOT NULL DEFAULT now(),
    reason            text        NOT NULL,
    reason_detail     text,
    replay_of         bigint,
    status            text        NOT NULL DEFAULT 'dead' CHECK (status IN ('dead', 'replayed')),
    replay_count      integer     NOT NULL DEFAULT 0,
    last_replayed_at  timestamptz,
    last_replay_ref   text,
    last_replay_error text
);

-- Listing and replaying waiting letters of a source in id order.
CREATE INDEX dead_letters_status_source_id ON dead_letters (status, source, id);
-- Purge by age and the oldest-letter gauge.
CREATE INDEX dead_letters_died_at ON dead_letters (died_at);

-- Replay-all runs: the snapshot bound (max_letter_id, filter) and the cursor are committed in the
-- same transaction as each batch's hand-over, so a run killed mid-way resumes where it stopped.
CREATE TABLE dead_letter_replay_runs (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    filter_key     text        NOT NULL,
    filter_json    text        NOT NULL,
    dry_run        boolean     NOT NULL,
    max_letter_id  bigint      NOT NULL,
    cursor_id      bigint      NOT NULL DEFAULT 0,
    total          bigint      NOT NULL,
    done           bigint      NOT NULL DEFAULT 0,
    failed         bigint      NOT NULL DEFAULT 0,
    state          text        NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'finished', 'cancelled', 'failed')),
    started_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    owner          text        NOT NULL
);
CREATE INDEX dead_letter_replay_runs_running ON dead_letter_replay_runs (filter_key) WHERE state = 'running';
