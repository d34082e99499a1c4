-- The durable job queue of the periodic sync: one row per user id.
CREATE TABLE sync_jobs (
  user_id          bigint      PRIMARY KEY,
  state            text        NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  run_after        timestamptz NOT NULL DEFAULT now(),
  lease_owner      text,
  lease_expires_at timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- What a claim looks at: pending jobs that are due, running jobs whose lease expired.
CREATE INDEX sync_jobs_due ON sync_jobs (run_after) WHERE state = 'pending';
CREATE INDEX sync_jobs_leases ON sync_jobs (lease_expires_at) WHERE state = 'running';
