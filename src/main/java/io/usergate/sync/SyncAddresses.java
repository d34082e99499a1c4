package io.usergate.sync;

/**
 * The event-bus addresses of the sync verticle. Bodies are JSON objects. The queue's own reads and writes
 * ({@code usergate.sync.enqueue}, {@code .jobs}, {@code .retry}, {@code .discard}) are the store's, which owns
 * the queue: {@link io.usergate.store.StoreAddresses}.
 */
public final class SyncAddresses {

  /** {@code {}} → {@code {"enqueued": n}}: the users fetched longer ago than {@code sync.refreshAfterMs}. */
  public static final String REFRESH = "usergate.sync.refresh";

  /**
   * {@code {}} → {@code {"jobs": {"pending", "running", "done", "failed"}, "batchRunning", "lastBatch",
   * "nextRunAt", "owner"}}: {@code nextRunAt} is this node's next batch, the periodic tick or, when sooner,
   * the moment the earliest pending job falls due (null while stopping).
   */
  public static final String STATUS = "usergate.sync.status";

  /**
   * {@code {}} (the token on the bridge) → {@code {"started": true, "walk"}}: a walk of the whole directory
   * ({@code sync.listPath}) started now, or an interrupted one resumed; {@code {"started": false, "walk",
   * "message"}} when one runs already, anywhere in the cluster, and nothing starts.
   */
  public static final String WALK = "usergate.sync.walk";

  /**
   * {@code {}} → {@code {"ran": true, "follow", "message"}}: one round of following the directory's changes
   * ({@code sync.deltaPath} or {@code sync.changedSincePath}) now, as the {@code sync.deltaIntervalMs} timer runs
   * it, answered when it ends (a round under way on this node is joined); {@code {"ran": false, "follow",
   * "message"}} when another node holds the follower's lease. Not bridged.
   */
  public static final String FOLLOW = "usergate.sync.follow";

  /**
   * Published after each batch: {@code {"owner", "claimed", "succeeded", "removed", "retried", "failed",
   * "notHeld", "pendingLeft", "durationMs", "finishedAt"}}; and after each page of a walk and at its end:
   * {@code {"walk": {"state", "generation", "pages", "users", "removed", ...}}}.
   */
  public static final String PROGRESS = "usergate.sync.progress";

  private SyncAddresses() {
  }
}
