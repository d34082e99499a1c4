-- The paged walk of the whole directory: one row, the walk under way or the last one. Its position is
-- committed with each page, so a walk cut short (a crash, an undeploy, a lost lease) resumes from there.
CREATE TABLE sync_walk (
  id               integer     PRIMARY KEY CHECK (id = 1),
  generation       bigint      NOT NULL DEFAULT 0,
  state            text        NOT NULL CHECK (state IN ('idle', 'running', 'interrupted', 'done', 'stopped')),
  next_offset      bigint      NOT NULL DEFAULT 0,
  pages            bigint      NOT NULL DEFAULT 0,
  users            bigint      NOT NULL DEFAULT 0,
  invalid          bigint      NOT NULL DEFAULT 0,
  total            bigint,
  first_total      bigint,
  removed          bigint,
  started_at       timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  lease_owner      text,
  lease_expires_at timestamptz,
  message          text
);
INSERT INTO sync_walk (id, state) VALUES (1, 'idle');

-- The generation of the last walk that listed the user: after a complete walk, users of an older one
-- (fetched before it started) are gone from the directory.
ALTER TABLE users ADD COLUMN walk_generation bigint;
