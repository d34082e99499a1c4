package io.usergate.sync;

/** The event-bus addresses of the sync verticle. Bodies are JSON objects. */
public final class SyncAddresses {

  /** {@code {"ids": [...]}} (at most {@link SyncVerticle#MAX_ENQUEUE}) → {@code {"enqueued": n}}. */
  public static final String ENQUEUE = "usergate.sync.enqueue";

  /** {@code {}} → {@code {"enqueued": n}}: the users fetched longer ago than {@code sync.refreshAfterMs}. */
  public static final String REFRESH = "usergate.sync.refresh";

  /**
   * {@code {}} → {@code {"jobs": {"pending", "running", "done", "failed"}, "batchRunning", "lastBatch",
   * "nextRunAt", "owner"}}: {@code nextRunAt} is this node's next batch, the periodic tick or, when sooner,
   * the moment the earliest pending job falls due (null while stopping).
   */
  public static final String STATUS = "usergate.sync.status";

  /**
   * {@code {"state"?: "pending" | "running" | "done" | "failed", "after"?: id, "limit"?: 1..1000}} →
   * {@code {"jobs": [{"id", "state", "attempts", "lastError", "runAfter", "updatedAt", "priority"}], "next":
   * id | null}}: the queue, a keyset page by id. Bridged.
   */
  public static final String JOBS = "usergate.sync.jobs";

  /**
   * {@code {"ids": [...]}} or {@code {"state": "failed"}} (the token on the bridge) → {@code {"retried": n}}:
   * pending now, attempts reset, the syncs woken. Running jobs are left to their lease holder.
   */
  public static final String RETRY = "usergate.sync.retry";

  /** As {@link #RETRY} → {@code {"discarded": n}}: out of the queue; the mirror keeps the users. */
  public static final String DISCARD = "usergate.sync.discard";

  /**
   * {@code {}} (the token on the bridge) → {@code {"started": true, "walk"}}: a walk of the whole directory
   * ({@code sync.listPath}) started now, or an interrupted one resumed; {@code {"started": false, "walk",
   * "message"}} when one runs already, anywhere in the cluster, and nothing starts.
   */
  public static final String WALK = "usergate.sync.walk";

  /**
   * Published after each batch: {@code {"owner", "claimed", "succeeded", "removed", "retried", "failed",
   * "notHeld", "pendingLeft", "durationMs", "finishedAt"}}; and after each page of a walk and at its end:
   * {@code {"walk": {"state", "generation", "pages", "users", "removed", ...}}}.
   */
  public static final String PROGRESS = "usergate.sync.progress";

  private SyncAddresses() {
  }
}
