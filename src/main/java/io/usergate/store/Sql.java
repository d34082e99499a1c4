package io.usergate.store;

/** Every SQL statement of the store, one per intent, positional {@code $n} parameters. */
final class Sql {

  static final String PING = "SELECT 1";

  static final String GET_USER = "SELECT profile, fetched_at FROM users WHERE id = $1";

  /** The cache's read of many ids at once: one statement for all the hits of a fan-out. */
  static final String GET_USERS = "SELECT id, profile, fetched_at FROM users WHERE id = ANY($1)";

  /** Keyset pagination: one row more than the page, to know whether there is a next page. */
  static final String LIST_USERS = "SELECT id, profile FROM users WHERE id > $1 ORDER BY id LIMIT $2";

  /**
   * Up to {@link UserRows#UPSERT_CHUNK} users in one statement, ids sorted and distinct (sorted keys
   * keep concurrent batches from deadlocking). A row is only replaced by a fetch that is not older.
   */
  static final String UPSERT_USERS = """
    INSERT INTO users (id, name, username, email, profile, fetched_at)
    SELECT u.id, u.name, u.username, u.email, u.profile::jsonb, $6
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
        AS u(id, name, username, email, profile)
    ON CONFLICT (id) DO UPDATE
      SET name = EXCLUDED.name, username = EXCLUDED.username, email = EXCLUDED.email,
          profile = EXCLUDED.profile, fetched_at = EXCLUDED.fetched_at
      WHERE users.fetched_at <= EXCLUDED.fetched_at""";

  static final String DELETE_USER = "DELETE FROM users WHERE id = $1";

  static final String DELETE_USERS = "DELETE FROM users WHERE id = ANY($1::bigint[])";

  // The sync job queue. Every change to a claimed job is conditional on the lease still being held by
  // the caller ($owner), so a late answer from an owner whose lease expired changes nothing.

  /** New ids become pending; an id already pending or running is left alone; a done or failed one starts over. */
  static final String ENQUEUE_JOBS = """
    INSERT INTO sync_jobs (user_id, state)
    SELECT id, 'pending' FROM unnest($1::bigint[]) AS id
    ON CONFLICT (user_id) DO UPDATE
      SET state = 'pending', attempts = 0, run_after = now(), last_error = NULL,
          lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE sync_jobs.state IN ('done', 'failed')""";

  /** Users fetched longer ago than $1 ms, up to $2 of them, the stalest first. */
  static final String ENQUEUE_STALE_USERS = """
    INSERT INTO sync_jobs (user_id, state)
    SELECT id, 'pending' FROM (
      SELECT id FROM users WHERE fetched_at < now() - $1 * interval '1 millisecond' ORDER BY fetched_at LIMIT $2
    ) AS stale
    ORDER BY id
    ON CONFLICT (user_id) DO UPDATE
      SET state = 'pending', attempts = 0, run_after = now(), last_error = NULL,
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
       ORDER BY run_after
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
     WHERE user_id = ANY($1::bigint[]) AND state = 'running' AND lease_owner = $2
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
      FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS f(id, error, delay_ms)
     WHERE job.user_id = f.id AND job.state = 'running' AND job.lease_owner = $1
    RETURNING job.user_id, job.state""";

  /** Hands jobs $1 of owner $2 back: pending again at once, lease cleared, the attempt not charged. */
  static final String RELEASE_JOBS = """
    UPDATE sync_jobs
       SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE user_id = ANY($1::bigint[]) AND state = 'running' AND lease_owner = $2""";

  /** Served by the partial index on pending jobs. */
  static final String COUNT_PENDING_JOBS = "SELECT count(*) FROM sync_jobs WHERE state = 'pending'";

  static final String COUNT_JOBS_BY_STATE = "SELECT state, count(*) AS jobs FROM sync_jobs GROUP BY state";

  private Sql() {
  }
}
