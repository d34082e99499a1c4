package io.usergate.sync;

/** The event-bus addresses of the sync verticle. Bodies are JSON objects. */
public final class SyncAddresses {

  /** {@code {"ids": [...]}} (at most {@link SyncVerticle#MAX_ENQUEUE}) → {@code {"enqueued": n}}. */
  public static final String ENQUEUE = "usergate.sync.enqueue";

  /** {@code {}} → {@code {"enqueued": n}}: the users fetched longer ago than {@code sync.refreshAfterMs}. */
  public static final String REFRESH = "usergate.sync.refresh";

  /**
   * {@code {}} → {@code {"jobs": {"pending", "running", "done", "failed"}, "batchRunning", "lastBatch",
   * "nextRunAt", "owner"}}.
   */
  public static final String STATUS = "usergate.sync.status";

  /**
   * Published after each batch: {@code {"owner", "claimed", "succeeded", "removed", "retried", "failed",
   * "notHeld", "pendingLeft", "durationMs", "finishedAt"}}.
   */
  public static final String PROGRESS = "usergate.sync.progress";

  private SyncAddresses() {
  }
}
