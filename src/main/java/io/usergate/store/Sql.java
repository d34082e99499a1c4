package io.usergate.store;

/** Every SQL statement of the store, one per intent, positional {@code $n} parameters. */
final class Sql {

  static final String PING = "SELECT 1";

  static final String GET_USER = "SELECT profile, fetched_at, upstream_etag FROM users WHERE id = $1";

  /** The cache's read of many ids at once: one statement for all the hits of a fan-out. */
  static final String GET_USERS = "SELECT id, profile, fetched_at, upstream_etag FROM users WHERE id = ANY($1)";

  /** Keyset pagination: one row more than the page, to know whether there is a next page. */
  static final String LIST_USERS = "SELECT id, profile FROM users WHERE id > $1 ORDER BY id LIMIT $2";

  /** The conflict rule of both upserts of users ({@link #UPSERT_USERS}'s): a fetch no older than the row wins. */
  private static final String UPSERT_CONFLICT = """
    ON CONFLICT (id) DO UPDATE
      SET name = EXCLUDED.name, username = EXCLUDED.username, email = EXCLUDED.email,
          profile = EXCLUDED.profile, fetched_at = EXCLUDED.fetched_at,
          upstream_etag = CASE WHEN users.profile = EXCLUDED.profile
            THEN COALESCE(EXCLUDED.upstream_etag, users.upstream_etag) ELSE EXCLUDED.upstream_etag END,
          walk_generation = COALESCE(EXCLUDED.walk_generation, users.walk_generation)
      WHERE users.fetched_at <= EXCLUDED.fetched_at""";

  /**
   * Up to {@link UserWrites#UPSERT_CHUNK} users in one statement, ids sorted and distinct (sorted keys
   * keep concurrent batches from deadlocking). A row is only replaced by a fetch that is not older. $7:
   * the walk generation that listed them, or null (kept as it was). $8: each user's upstream ETag (null: none):
   * an ETag describes only the content it came with, so a new content without one clears it, and the same
   * content without one (a page of the walk) keeps it.
   */
  static final String UPSERT_USERS = """
    INSERT INTO users (id, name, username, email, profile, fetched_at, walk_generation, upstream_etag)
    SELECT u.id, u.name, u.username, u.email, u.profile::jsonb, $6, $7, u.etag
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $8::text[])
        AS u(id, name, username, email, profile, etag)
    %s""".formatted(UPSERT_CONFLICT);

  /**
   * Every writer of users takes this lock (for its transaction) before its first write, when the change
   * feed is on: changes are then numbered in commit order, and a reader never misses one still in flight.
   */
  static final String LOCK_CHANGES = "SELECT pg_advisory_xact_lock(7361524780012)";

  /**
   * {@link #UPSERT_USERS} that also records each change of content in user_changes (created, or updated
   * with the top-level fields that differ; an identical rewrite is no change). The writer holds
   * {@link #LOCK_CHANGES}, so {@code before} reads what no one else can change meanwhile. One row per
   * change (seq null when none), each with the count of rows written.
   */
  static final String UPSERT_USERS_RECORDED = """
    WITH input AS (
      SELECT u.id, u.name, u.username, u.email, u.profile::jsonb AS profile, u.etag
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $8::text[])
          AS u(id, name, username, email, profile, etag)),
    before AS (
      SELECT id, profile FROM users WHERE id = ANY($1::text[])),
    written AS (
      INSERT INTO users (id, name, username, email, profile, fetched_at, walk_generation, upstream_etag)
      SELECT id, name, username, email, profile, $6, $7, etag FROM input
      %s
      RETURNING id, profile),
    changed AS (
      INSERT INTO user_changes (user_id, kind, fields)
      SELECT w.id,
             CASE WHEN b.id IS NULL THEN 'created' ELSE 'updated' END,
             CASE WHEN b.id IS NULL THEN NULL ELSE ARRAY(
               SELECT key FROM jsonb_each(w.profile) AS n(key, value)
                 FULL JOIN jsonb_each(b.profile) AS o(key, value) USING (key)
                WHERE n.value IS DISTINCT FROM o.value ORDER BY key) END
        FROM written w LEFT JOIN before b ON b.id = w.id
       WHERE b.id IS NULL OR b.profile IS DISTINCT FROM w.profile
       ORDER BY w.id
      RETURNING seq, user_id, kind, fields, at)
    SELECT (SELECT count(*) FROM written) AS written, changed.*
      FROM (SELECT 1) AS one LEFT JOIN changed ON true
     ORDER BY changed.seq""".formatted(UPSERT_CONFLICT);

  /**
   * The directory answered 304 to If-None-Match $2 (per id $1): each copy is fresh as of $3, and nothing but
   * its fetched_at changes (no change in the feed). Only a row that still holds that ETag, fetched earlier:
   * another content written meanwhile is not what the directory confirmed. Rows locked in id order, as the
   * upserts lock theirs, so that concurrent writers never deadlock.
   */
  static final String REVALIDATE_USERS = """
    WITH confirmed AS (
      SELECT u.id FROM users AS u
        JOIN unnest($1::text[], $2::text[]) AS r(id, etag) ON u.id = r.id AND u.upstream_etag = r.etag
       WHERE u.fetched_at < $3
       ORDER BY u.id
         FOR UPDATE OF u)
    UPDATE users SET fetched_at = $3 FROM confirmed WHERE users.id = confirmed.id""";

  static final String DELETE_USERS = "DELETE FROM users WHERE id = ANY($1::text[])";

  /** {@link #DELETE_USERS}, each removal recorded in user_changes; rows as {@link #UPSERT_USERS_RECORDED}'s. */
  static final String DELETE_USERS_RECORDED = """
    WITH gone AS (DELETE FROM users WHERE id = ANY($1::text[]) RETURNING id),
    changed AS (
      INSERT INTO user_changes (user_id, kind) SELECT id, 'removed' FROM gone ORDER BY id
      RETURNING seq, user_id, kind, fields, at)
    SELECT (SELECT count(*) FROM gone) AS written, changed.*
      FROM (SELECT 1) AS one LEFT JOIN changed ON true
     ORDER BY changed.seq""";

  // The change feed.

  /** Changes after $1, at most $2, in order. */
  static final String READ_CHANGES = "SELECT seq, user_id, kind, fields, at FROM user_changes WHERE seq > $1 ORDER BY seq LIMIT $2";

  /** The newest $1 changes, newest first. */
  static final String READ_CHANGES_TAIL = "SELECT seq, user_id, kind, fields, at FROM user_changes ORDER BY seq DESC LIMIT $1";

  /** The highest sequence trimmed away, and the oldest and newest kept. */
  static final String CHANGES_RANGE = "SELECT upto, (SELECT min(seq) FROM user_changes) AS oldest, "
    + "(SELECT max(seq) FROM user_changes) AS newest FROM user_changes_trimmed";

  /** Changes older than $1 ms removed; the highest removed remembered, so a reader behind it is told. */
  static final String TRIM_CHANGES = """
    WITH trimmed AS (DELETE FROM user_changes WHERE at < now() - $1 * interval '1 millisecond' RETURNING seq)
    UPDATE user_changes_trimmed SET upto = GREATEST(upto, COALESCE((SELECT max(seq) FROM trimmed), 0))
    RETURNING (SELECT count(*) FROM trimmed) AS trimmed""";

  // The paged walk: one row (id 1). Every change of a walk under way is conditional on its lease being
  // held by the caller ($1) for its generation, so a walker that lost its lease changes nothing.

  /**
   * Takes the walk for owner $1 with a lease of $2 ms unless another walker holds it: an interrupted walk
   * (or one whose walker's lease expired) resumes from its position; otherwise a new generation starts at
   * offset 0. Returns no row when the walk is held. (SET reads the row as it was before the update.)
   */
  static final String BEGIN_WALK = """
    UPDATE sync_walk SET
      generation  = CASE WHEN state IN ('running', 'interrupted') THEN generation ELSE generation + 1 END,
      next_offset = CASE WHEN state IN ('running', 'interrupted') THEN next_offset ELSE 0 END,
      next_cursor = CASE WHEN state IN ('running', 'interrupted') THEN next_cursor END,
      pages       = CASE WHEN state IN ('running', 'interrupted') THEN pages ELSE 0 END,
      users       = CASE WHEN state IN ('running', 'interrupted') THEN users ELSE 0 END,
      invalid     = CASE WHEN state IN ('running', 'interrupted') THEN invalid ELSE 0 END,
      total       = CASE WHEN state IN ('running', 'interrupted') THEN total END,
      first_total = CASE WHEN state IN ('running', 'interrupted') THEN first_total END,
      started_at  = CASE WHEN state IN ('running', 'interrupted') THEN started_at ELSE now() END,
      message     = CASE WHEN state IN ('running', 'interrupted') THEN 'resumed at offset ' || next_offset END,
      removed = NULL, finished_at = NULL, state = 'running', lease_owner = $1,
      lease_expires_at = now() + $2 * interval '1 millisecond', updated_at = now()
    WHERE id = 1 AND (state <> 'running' OR lease_expires_at IS NULL OR lease_expires_at < now())
    RETURNING *""";

  /**
   * Page at offset $3 of generation $2 committed by owner $1: the position moves to $4 and the next page's
   * cursor to $9 (null: by offset, or none), $5 users and $6 invalid entries counted, the directory's total
   * $7 (null: unknown) kept, the lease renewed for $8 ms.
   * Returns no row when the lease is not held (or the page is not the next one).
   */
  static final String ADVANCE_WALK = """
    UPDATE sync_walk SET next_offset = $4, next_cursor = $9, pages = pages + 1, users = users + $5, invalid = invalid + $6,
      total = COALESCE($7, total), first_total = COALESCE(first_total, $7),
      lease_expires_at = now() + $8 * interval '1 millisecond', updated_at = now()
    WHERE id = 1 AND state = 'running' AND lease_owner = $1 AND generation = $2 AND next_offset = $3
    RETURNING *""";

  /**
   * Owner $1's walk of generation $2 starts again from the first page, as a new generation (message $3, the
   * lease renewed for $4 ms): the directory refused its cursor. A new generation, begun now, so that the
   * sweep at its end rests only on pages listed from the first one on, and its counts and total start afresh.
   * Returns no row when the lease is not held.
   */
  static final String RESTART_WALK = """
    UPDATE sync_walk SET generation = generation + 1, next_offset = 0, next_cursor = NULL, pages = 0, users = 0,
      invalid = 0, total = NULL, first_total = NULL, started_at = now(), message = $3,
      lease_expires_at = now() + $4 * interval '1 millisecond', updated_at = now()
    WHERE id = 1 AND state = 'running' AND lease_owner = $1 AND generation = $2
    RETURNING *""";

  /** The walk of owner $1, generation $2, locked for its finish; no row when the lease is not held. */
  static final String LOCK_WALK = """
    SELECT * FROM sync_walk
     WHERE id = 1 AND state = 'running' AND lease_owner = $1 AND generation = $2
       FOR UPDATE""";

  /** Users not listed by walk generation $1 and fetched before it started ($2), against all users. */
  static final String COUNT_UNLISTED = """
    SELECT count(*) FILTER (WHERE walk_generation IS DISTINCT FROM $1 AND fetched_at < $2) AS unlisted,
           count(*) AS mirrored
      FROM users""";

  /** The ids of the users not listed by walk generation $1 and fetched before it started ($2). */
  static final String UNLISTED_IDS = """
    SELECT id FROM users WHERE walk_generation IS DISTINCT FROM $1 AND fetched_at < $2 ORDER BY id""";

  /** The end of a walk: state $1 ('done' or 'stopped'), $2 users removed, message $3; the lease given up. */
  static final String END_WALK = """
    UPDATE sync_walk SET state = $1, removed = $2, message = $3, finished_at = now(),
      lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
    WHERE id = 1
    RETURNING *""";

  /** Owner $1 stops walking before the end (undeploy, a page that failed): resumable from its position. */
  static final String INTERRUPT_WALK = """
    UPDATE sync_walk SET state = 'interrupted', message = $2, lease_owner = NULL, lease_expires_at = NULL,
      updated_at = now()
    WHERE id = 1 AND state = 'running' AND lease_owner = $1
    RETURNING *""";

  static final String GET_WALK = "SELECT * FROM sync_walk WHERE id = 1";

  // Following the directory's changes (sync_follow, one row, id 1): every change but the first is conditional on
  // the lease being held by the caller ($1), as the walk's are.

  /**
   * Takes the follower's lease for owner $1, $2 ms, to follow kind $3 ('delta' or 'changedSince'), unless another
   * follower holds it; a row that followed another kind starts from nothing. No row when the lease is held.
   */
  static final String BEGIN_FOLLOW = """
    UPDATE sync_follow SET
      state            = CASE WHEN kind IS DISTINCT FROM $3 THEN 'idle' ELSE state END,
      next_cursor      = CASE WHEN kind IS DISTINCT FROM $3 THEN NULL ELSE next_cursor END,
      next_offset      = CASE WHEN kind IS DISTINCT FROM $3 THEN 0 ELSE next_offset END,
      delta_link       = CASE WHEN kind IS DISTINCT FROM $3 THEN NULL ELSE delta_link END,
      link_at          = CASE WHEN kind IS DISTINCT FROM $3 THEN NULL ELSE link_at END,
      watermark        = CASE WHEN kind IS DISTINCT FROM $3 THEN NULL ELSE watermark END,
      round_since      = CASE WHEN kind IS DISTINCT FROM $3 THEN NULL ELSE round_since END,
      round_started_at = CASE WHEN kind IS DISTINCT FROM $3 THEN NULL ELSE round_started_at END,
      kind = $3, lease_owner = $1, lease_expires_at = now() + $2 * interval '1 millisecond', updated_at = now()
    WHERE id = 1 AND (lease_owner IS NULL OR lease_owner = $1 OR lease_expires_at < now())
    RETURNING *""";

  /**
   * A page of owner $1's round stored: state $2, the next page at cursor $3 or offset $4 (mid-round; null and 0 at
   * its end), delta link $5 (its time now when $6), the round's since $7 and start $8 (changedSince, mid-round), the
   * watermark $9 (null: as it was), $10 the round's last page; $11 users written and $12 removed counted; the lease
   * renewed for $13 ms; message $14 (null: as it was). No row when the lease is not held.
   */
  static final String ADVANCE_FOLLOW = """
    UPDATE sync_follow SET state = $2, next_cursor = $3, next_offset = $4, delta_link = $5,
      link_at = CASE WHEN $6 THEN now() ELSE link_at END,
      round_since = $7, round_started_at = $8, watermark = COALESCE($9, watermark),
      rounds = rounds + CASE WHEN $10 THEN 1 ELSE 0 END,
      last_round_at = CASE WHEN $10 THEN now() ELSE last_round_at END,
      pages = pages + 1, upserted = upserted + $11, removed = removed + $12,
      lease_expires_at = now() + $13 * interval '1 millisecond', updated_at = now(), message = COALESCE($14, message)
    WHERE id = 1 AND lease_owner = $1
    RETURNING *""";

  /**
   * The directory refused owner $1's delta link (why: $2): the link is dropped, a full walk comes first (state
   * resync), the lease renewed for $3 ms. No row when the lease is not held.
   */
  static final String RESYNC_FOLLOW = """
    UPDATE sync_follow SET state = 'resync', next_cursor = NULL, next_offset = 0, delta_link = NULL, link_at = NULL,
      resyncs = resyncs + 1, resync_at = now(), resync_reason = $2, message = $2,
      lease_expires_at = now() + $3 * interval '1 millisecond', updated_at = now()
    WHERE id = 1 AND lease_owner = $1
    RETURNING *""";

  /** The resync's walk ended (message $2): owner $1's next round lists everything for a fresh link (state idle). */
  static final String RESYNCED_FOLLOW = """
    UPDATE sync_follow SET state = 'idle', next_cursor = NULL, next_offset = 0, message = $2, updated_at = now()
    WHERE id = 1 AND lease_owner = $1 AND state = 'resync'
    RETURNING *""";

  /** Owner $1 gives the lease up after a round (or its failure, message $2; null: as it was). */
  static final String RELEASE_FOLLOW = """
    UPDATE sync_follow SET lease_owner = NULL, lease_expires_at = NULL, message = COALESCE($2, message), updated_at = now()
    WHERE id = 1 AND lease_owner = $1
    RETURNING *""";

  static final String GET_FOLLOW = "SELECT * FROM sync_follow WHERE id = 1";

  // The sync job queue. Every change to a claimed job is conditional on the lease still being held by
  // the caller ($owner), so a late answer from an owner whose lease expired changes nothing.

  /**
   * New ids become pending at priority $2; a done or failed one starts over; one already pending at a
   * lower priority (a refresh) is raised and due now; one running is left alone.
   */
  static final String ENQUEUE_JOBS = """
    INSERT INTO sync_jobs (user_id, state, priority)
    SELECT id, 'pending', $2 FROM unnest($1::text[]) AS id
    ON CONFLICT (user_id) DO UPDATE
      SET state = 'pending',
          attempts = CASE WHEN sync_jobs.state = 'pending' THEN sync_jobs.attempts ELSE 0 END,
          last_error = CASE WHEN sync_jobs.state = 'pending' THEN sync_jobs.last_error END,
          priority = GREATEST(sync_jobs.priority, EXCLUDED.priority),
          run_after = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE sync_jobs.state IN ('done', 'failed')
         OR sync_jobs.state = 'pending' AND sync_jobs.priority < EXCLUDED.priority""";

  /** Wakes the sync of every node (LISTEN usergate_sync_jobs); sent at commit, once per transaction. */
  static final String NOTIFY_JOBS = "SELECT pg_notify('usergate_sync_jobs', '')";

  static final String JOBS_CHANNEL = "usergate_sync_jobs";

  /** Users fetched longer ago than $1 ms, up to $2 of them, the stalest first. */
  static final String ENQUEUE_STALE_USERS = """
    INSERT INTO sync_jobs (user_id, state)
    SELECT id, 'pending' FROM (
      SELECT id FROM users WHERE fetched_at < now() - $1 * interval '1 millisecond' ORDER BY fetched_at LIMIT $2
    ) AS stale
    ORDER BY id
    ON CONFLICT (user_id) DO UPDATE
      SET state = 'pending', attempts = 0, run_after = now(), last_error = NULL, priority = 0,
          lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE sync_jobs.state IN ('done', 'failed')""";

  /**
   * Claims up to $3 due jobs for owner $1 with a lease of $2 ms: pending ones whose time has come, and
   * running ones whose owner's lease expired (a crashed owner). SKIP LOCKED: concurrent claimers never
   * wait for, nor take, each other's rows.
   */
  static final String CLAIM_JOBS = """
    WITH claimable AS (
      SELECT user_id FROM sync_jobs
       WHERE (state = 'pending' AND run_after <= now())
          OR (state = 'running' AND lease_expires_at < now())
       ORDER BY priority DESC, run_after
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
    UPDATE sync_jobs AS job
       SET state = 'running', lease_owner = $1,
           lease_expires_at = now() + $2 * interval '1 millisecond', updated_at = now()
      FROM claimable
     WHERE job.user_id = claimable.user_id
    RETURNING job.user_id, job.attempts""";

  /** Jobs $1 of owner $2 are done; returns those whose lease was still held. */
  static final String COMPLETE_JOBS = """
    UPDATE sync_jobs
       SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = now()
     WHERE user_id = ANY($1::text[]) AND state = 'running' AND lease_owner = $2
    RETURNING user_id""";

  /**
   * Failed attempts of owner $1: ids $2, errors $3, backoff $4 ms each. A job is pending again after
   * its backoff, or failed once it has used $5 attempts.
   */
  static final String FAIL_JOBS = """
    UPDATE sync_jobs AS job
       SET attempts = job.attempts + 1,
           state = CASE WHEN job.attempts + 1 >= $5 THEN 'failed' ELSE 'pending' END,
           run_after = now() + f.delay_ms * interval '1 millisecond',
           last_error = f.error, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      FROM unnest($2::text[], $3::text[], $4::bigint[]) AS f(id, error, delay_ms)
     WHERE job.user_id = f.id AND job.state = 'running' AND job.lease_owner = $1
    RETURNING job.user_id, job.state""";

  /** Hands jobs $1 of owner $2 back: pending again at once, lease cleared, the attempt not charged. */
  static final String RELEASE_JOBS = """
    UPDATE sync_jobs
       SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE user_id = ANY($1::text[]) AND state = 'running' AND lease_owner = $2""";

  /** Served by the partial index on pending jobs. */
  static final String COUNT_PENDING_JOBS = "SELECT count(*) FROM sync_jobs WHERE state = 'pending'";

  /**
   * In how many ms the earliest pending job not yet due falls due, by PostgreSQL's clock (null: none), so
   * the sync can run a batch then without trusting its own clock. A loose index scan: sync_jobs_due leads
   * with priority, which PostgreSQL 16 cannot skip, so a plain min(run_after) reads every pending entry
   * (40-57 ms at 1.7 M pending, PostgreSQL 15 here); this walks the few distinct priorities and takes each
   * one's earliest later run_after from the index (0.3 ms). Rounded up: woken early, the job is not due yet.
   */
  static final String NEXT_DUE_IN_MS = """
    WITH RECURSIVE priorities AS (
      SELECT max(priority) AS priority FROM sync_jobs WHERE state = 'pending'
      UNION ALL
      SELECT (SELECT max(job.priority) FROM sync_jobs AS job WHERE job.state = 'pending' AND job.priority < p.priority)
        FROM priorities AS p WHERE p.priority IS NOT NULL)
    SELECT ceil(extract(epoch FROM min(
             (SELECT min(job.run_after) FROM sync_jobs AS job
               WHERE job.state = 'pending' AND job.priority = p.priority AND job.run_after > now())) - now()) * 1000)::bigint
           AS next_due_in_ms
      FROM priorities AS p WHERE p.priority IS NOT NULL""";

  static final String COUNT_JOBS_BY_STATE = "SELECT state, count(*) AS jobs FROM sync_jobs GROUP BY state";

  /** How long the oldest due pending job has waited, in ms (null: none): the queue's SLO. */
  static final String OLDEST_PENDING_AGE = """
    SELECT (extract(epoch FROM now() - min(run_after)) * 1000)::bigint AS age_ms
      FROM sync_jobs WHERE state = 'pending' AND run_after <= now()""";

  /** A page of jobs after user id $2, of state $1 (null: any), $3 rows (one more than the page). */
  static final String LIST_JOBS = """
    SELECT user_id, state, attempts, last_error, run_after, updated_at, priority FROM sync_jobs
     WHERE ($1::text IS NULL OR state = $1) AND user_id > $2
     ORDER BY user_id LIMIT $3""";

  /** Retry: pending now, attempts reset; ids $1 or every job of state $2. Running jobs are their owner's. */
  static final String RETRY_JOBS = """
    UPDATE sync_jobs SET state = 'pending', attempts = 0, run_after = now(), last_error = NULL, updated_at = now()
     WHERE state <> 'running' AND (user_id = ANY($1::text[]) OR state = $2)""";

  /** Discard: out of the queue (the mirror keeps the user); ids $1 or every job of state $2, never running ones. */
  static final String DISCARD_JOBS = """
    DELETE FROM sync_jobs WHERE state <> 'running' AND (user_id = ANY($1::text[]) OR state = $2)""";

  private Sql() {
  }
}
