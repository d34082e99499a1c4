package io.usergate.store;

import io.usergate.HeaderNames;

/** The event-bus addresses the store verticle consumes. Bodies are JSON objects. */
public final class StoreAddresses {

  /** {@code {}} → {@code {"ok": true}} once PostgreSQL answered a query: the readiness probe. */
  public static final String PING = "usergate.store.ping";

  /** {@code {"id": 7}} → the stored user (header {@link HeaderNames#BUS_FETCHED_AT}), or {@code NOT_FOUND}. */
  public static final String GET = "usergate.store.get";

  /**
   * {@code {"ids": [1, 2, 3]}} (at most {@value StoreMessages.GetMany#MAX_IDS}) → {@code {"users": [{"user":
   * {...}, "fetchedAt": "2026-11-24T06:00:00Z"}, ...]}}: the stored copies of those ids that the mirror
   * has, in no particular order, read in one statement; an id it lacks is simply absent.
   */
  public static final String GET_MANY = "usergate.store.getMany";

  /** {@code {"after": 0, "limit": 100}} → {@code {"users": [...], "next": 123 | null}}, by id. */
  public static final String LIST = "usergate.store.list";

  /**
   * {@code {"users": [...], "fetchedAt": "2026-11-24T06:00:00Z"}} → {@code {"upserted": n}}: one
   * transaction. {@code fetchedAt} (optional, default now) is when the users were fetched; a stored
   * row fetched later is kept, so {@code upserted} counts the rows actually written. Optional
   * {@code "etags": {"7": "W/\"3\""}}: the directory's ETag of each user, kept with it; {@code "revalidated":
   * {"8": "\"v2\""}}: copies the directory confirmed with a 304 to that ETag, whose {@code fetched_at} alone moves
   * (counted in {@code upserted} too).
   */
  public static final String UPSERT = "usergate.store.upsert";

  /** {@code {"id": 7}} → {@code {"deleted": 0 | 1}}: the upstream no longer has the user. */
  public static final String DELETE = "usergate.store.delete";

  // The sync's job queue; used by the sync verticle only (never bridged).

  /**
   * {@code {"ids": [...]}} (at most {@value JobQueue#MAX_ENQUEUE}) → {@code {"enqueued": n}}: new jobs, due now,
   * the syncs of every node woken; ids already pending or running are left alone. Bridged (the token on
   * the bridge). Its name says what it acts on, the sync's queue, as since the first release; the store,
   * which owns the queue, serves it.
   */
  public static final String JOBS_ENQUEUE = "usergate.sync.enqueue";

  /**
   * {@code {"state"?: "pending" | "running" | "done" | "failed", "after"?: id, "limit"?: 1..1000}} →
   * {@code {"jobs": [{"id", "state", "attempts", "lastError", "runAfter", "updatedAt", "priority"}], "next":
   * id | null}}: the queue, a keyset page by id. Bridged.
   */
  public static final String JOBS_LIST = "usergate.sync.jobs";

  /**
   * {@code {"ids": [...]}} or {@code {"state": "failed"}} (the token on the bridge) → {@code {"retried": n}}:
   * pending now, attempts reset, the syncs woken. Running jobs are left to their lease holder.
   */
  public static final String JOBS_RETRY = "usergate.sync.retry";

  /** As {@link #JOBS_RETRY} → {@code {"discarded": n}}: out of the queue; the mirror keeps the users. */
  public static final String JOBS_DISCARD = "usergate.sync.discard";

  /** {@code {"staleAfterMs": ms, "limit": n}} → {@code {"enqueued": n}}: users fetched longer ago. */
  public static final String JOBS_REFRESH = "usergate.store.jobs.refresh";

  /**
   * {@code {"owner": "...", "limit": n, "leaseMs": ms}} → {@code {"jobs": [{"id": 7, "attempts": 0}],
   * "nextDueInMs": ms | null}}: {@code nextDueInMs} is when the earliest pending job not yet due falls due,
   * from now by PostgreSQL's clock (null: none), so the sync can run its next batch then.
   */
  public static final String JOBS_CLAIM = "usergate.store.jobs.claim";

  /**
   * {@code {"owner", "done": [ids], "users": [...], "fetchedAt", "removed": [ids], "failed": [{"id",
   * "error", "delayMs"}], "maxAttempts"}} → {@code {"done", "removed", "retried", "failed", "notHeld",
   * "pendingLeft", "nextDueInMs"}}:
   * one transaction; users stored and jobs done, users the upstream no longer has deleted and their
   * jobs done, failed attempts back to pending after their delay (or failed). Only jobs whose lease
   * {@code owner} still holds are touched; {@code notHeld} counts the others. {@code nextDueInMs} as in
   * {@link #JOBS_CLAIM}, the failed attempts' delays included. Optional {@code "etags"} and
   * {@code "revalidated"} as in {@link #UPSERT}: a job done by a 304 renews its user's fetch time alone.
   */
  public static final String JOBS_COMPLETE = "usergate.store.jobs.complete";

  /** {@code {"owner", "ids": [...]}} → {@code {"released": n}}: pending again, the attempt not charged. */
  public static final String JOBS_RELEASE = "usergate.store.jobs.release";

  /**
   * {@code {}} → {@code {"pending": n, "running": n, "done": n, "failed": n, "oldestPendingAgeMs": ms | null}}
   * (how long the oldest due pending job has waited).
   */
  public static final String JOBS_STATUS = "usergate.store.jobs.status";

  /**
   * Published locally (on this node) when PostgreSQL says jobs were enqueued or retried, on any node
   * ({@code NOTIFY usergate_sync_jobs}), and when the subscription to it comes back: the sync looks at once.
   */
  public static final String JOBS_WAKE = "usergate.store.jobs.wake";

  // The paged walk of the whole directory; used by the sync verticle only (never bridged). Each is one
  // scope; every change is conditional on the caller's lease (see WalkRows).

  /** {@code {"owner", "leaseMs"}} → {@code {"held", "walk"}}: resumes an interrupted walk or starts a new one. */
  public static final String WALK_BEGIN = "usergate.store.walk.begin";

  /**
   * {@code {"owner", "generation", "offset", "nextOffset", "nextCursor"?, "users", "inactive"?, "invalid", "total",
   * "fetchedAt", "leaseMs"}} → {@code {"held", "walk"}}: a page's users stored, its inactive ids (sync.inactive remove)
   * removed, and the walk's position (and next cursor), one transaction.
   */
  public static final String WALK_PAGE = "usergate.store.walk.page";

  /**
   * {@code {"owner", "generation", "message", "leaseMs"}} → {@code {"held", "walk"}}: the walk starts again from
   * the first page, as a new generation (the directory refused its cursor).
   */
  public static final String WALK_RESTART = "usergate.store.walk.restart";

  /**
   * {@code {"owner", "generation", "maxRemoveFraction", "note"?}} → {@code {"held", "walk"}}: the sweep of a
   * complete walk.
   */
  public static final String WALK_FINISH = "usergate.store.walk.finish";

  /** {@code {"owner", "message"}} → {@code {"held", "walk"}}: stopped before the end, resumable. */
  public static final String WALK_INTERRUPT = "usergate.store.walk.interrupt";

  /** {@code {}} → the walk: state, generation, position, counts, times, owner, message. */
  public static final String WALK_STATUS = "usergate.store.walk.status";

  // Following the directory's changes between walks (sync.deltaPath, sync.changedSincePath); used by the sync
  // verticle only (never bridged). Each is one scope; every change is conditional on the caller's lease (see FollowRows).

  /**
   * {@code {"owner", "leaseMs", "kind"}} → {@code {"held", "follow", "position"}}: the follower's lease, and where to
   * follow from ({@code position}: nextCursor, nextOffset, deltaLink, watermark, roundSince, roundStartedAt).
   */
  public static final String FOLLOW_BEGIN = "usergate.store.follow.begin";

  /**
   * {@code {"owner", "users": [...], "removed": [ids], "fetchedAt", "leaseMs", "state", "nextCursor"?, "nextOffset",
   * "deltaLink"?, "linkNew", "roundSince"?, "roundStartedAt"?, "watermark"?, "roundEnd", "message"?}} →
   * {@code {"held", "follow"}}: a page's users written, the removed ones deleted, and the follower's position moved,
   * one transaction, through the writer the walk uses (so the change feed records each change).
   */
  public static final String FOLLOW_PAGE = "usergate.store.follow.page";

  /** {@code {"owner", "reason", "leaseMs"}} → {@code {"held", "follow"}}: the delta link was refused; a walk comes first. */
  public static final String FOLLOW_RESYNC = "usergate.store.follow.resync";

  /** {@code {"owner", "message"}} → {@code {"held", "follow"}}: the resync's walk ended; the next round lists everything. */
  public static final String FOLLOW_RESYNCED = "usergate.store.follow.resynced";

  /** {@code {"owner", "message"?}} → {@code {"held", "follow"}}: the lease given up after a round. */
  public static final String FOLLOW_RELEASE = "usergate.store.follow.release";

  /** {@code {}} → the follower: kind, state, the link's age, the watermark, counts, the last resync and why, owner, message. */
  public static final String FOLLOW_STATUS = "usergate.store.follow.status";

  // The change feed.

  /**
   * {@code {"after": seq, "limit": n}} (limit 1..1000, default 100) → {@code {"changes": [{"seq", "id",
   * "kind", "fields", "at"}], "next": seq}}; CHANGES_GONE (410) when the changes after {@code after} were
   * trimmed. Bridged.
   */
  public static final String CHANGES_READ = "usergate.changes.read";

  /** {@code {"retainMs": ms}} → {@code {"trimmed": n}}: used by the sync only (never bridged). */
  public static final String CHANGES_TRIM = "usergate.store.changes.trim";

  /**
   * Published after each commit that changed users, one message per change, in sequence order:
   * {@code {"seq", "id", "kind": "created" | "updated" | "removed", "fields": [...] | null, "at"}}.
   * Bridged outbound; cluster-wide.
   */
  public static final String USER_CHANGED = "usergate.user.changed";

  private StoreAddresses() {
  }
}
