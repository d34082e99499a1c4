-- The change feed: one row per change of a user's content in the mirror, written in the same
-- transaction as the change. Writers take one advisory lock before their first write and hold it to
-- commit, so sequence order is commit order and a reader never sees seq n + 1 before seq n.
CREATE TABLE user_changes (
  seq     bigserial   PRIMARY KEY,
  user_id bigint      NOT NULL,
  kind    text        NOT NULL CHECK (kind IN ('created', 'updated', 'removed')),
  fields  text[],
  at      timestamptz NOT NULL DEFAULT now()
);
-- Only the trim looks by time, and rows arrive in time order: a BRIN index costs next to nothing to keep.
CREATE INDEX user_changes_at ON user_changes USING brin (at);

-- The highest sequence trimmed away (changes.retainMs): a reader whose position is below it has missed changes.
CREATE TABLE user_changes_trimmed (
  id   integer PRIMARY KEY CHECK (id = 1),
  upto bigint  NOT NULL DEFAULT 0
);
INSERT INTO user_changes_trimmed (id) VALUES (1);

-- Explicit requests (POST /sync) before refreshes: within a priority, the oldest first.
ALTER TABLE sync_jobs ADD COLUMN priority smallint NOT NULL DEFAULT 0;
DROP INDEX sync_jobs_due;
CREATE INDEX sync_jobs_due ON sync_jobs (priority DESC, run_after) WHERE state = 'pending';
