-- Following the directory's changes between walks (sync.deltaPath, sync.changedSincePath): one row, the
-- follower's durable state. Its position is committed with each page it stores, in the same transaction as
-- the page's users, under a lease like the walk's, so one follower runs per cluster and a restart resumes.
CREATE TABLE sync_follow (
  id               integer     PRIMARY KEY CHECK (id = 1),
  -- 'delta' or 'changedSince': what the row follows; another kind starts from nothing.
  kind             text,
  -- idle: nothing to follow from yet (the next round lists everything); following: a delta link or a
  -- watermark to follow from; resync: the directory refused the link, a full walk comes before a fresh one.
  state            text        NOT NULL CHECK (state IN ('idle', 'following', 'resync')),
  -- Mid-round: the page after the last one stored (a next link, or an offset for positional paging).
  next_cursor      text,
  next_offset      bigint      NOT NULL DEFAULT 0,
  -- The delta link to poll, and when the directory gave it (its age: Graph refuses one older than 7 days).
  delta_link       text,
  link_at          timestamptz,
  -- changedSince: the watermark (the start of the last complete round) and the round under way's since and start.
  watermark        timestamptz,
  round_since      timestamptz,
  round_started_at timestamptz,
  rounds           bigint      NOT NULL DEFAULT 0,
  pages            bigint      NOT NULL DEFAULT 0,
  upserted         bigint      NOT NULL DEFAULT 0,
  removed          bigint      NOT NULL DEFAULT 0,
  last_round_at    timestamptz,
  resyncs          bigint      NOT NULL DEFAULT 0,
  resync_at        timestamptz,
  resync_reason    text,
  lease_owner      text,
  lease_expires_at timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  message          text
);
INSERT INTO sync_follow (id, state) VALUES (1, 'idle');
