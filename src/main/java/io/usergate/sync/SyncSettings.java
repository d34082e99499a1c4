package io.usergate.sync;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

/**
 * The sync verticle's configuration: the {@code sync} section, read once through the key table
 * ({@link io.usergate.config.ConfigKeys}), where each key's range, default and meaning live. How many ids
 * go in one {@code fetch.many} is the fetch verticle's limit: the sync asks it ({@code fetch.status}).
 */
public record SyncSettings(
  // the batches: how often, how big, how long their claim holds
  int intervalMs, int batchSize, int leaseMs,
  // a failed job: its attempts and the backoff between them
  int maxAttempts, int retryBaseDelayMs, int retryMaxDelayMs,
  // undeploy
  int shutdownGraceMs,
  // the refresh of stale users
  int refreshIntervalMs, long refreshAfterMs,
  // the paged walk of the whole directory
  String listPath, String listNext, int listPageSize, long walkIntervalMs, int walkPagesInFlight, double walkMaxRemoveFraction,
  // following the directory's changes between walks: its delta query, or its changed-since filter
  String deltaPath, String changedSincePath, long deltaIntervalMs, long changedSinceOverlapMs) {

  public static final String SECTION = "sync";

  /**
   * The directory gives each page's successor ({@code sync.listNext} link, url, token): pages come one after
   * the other, not ahead by position.
   */
  public boolean listByCursor() {
    return !listNext.equals("offset") && !listNext.equals("scim");
  }

  /** What follows the directory's changes: {@code delta}, {@code changedSince}, or null (nothing: the walk alone). */
  public String followKind() {
    return !deltaPath.isBlank() ? "delta" : !changedSincePath.isBlank() ? "changedSince" : null;
  }

  /** The {@code sync} section of {@code config} (a verticle's configuration, or the whole one). */
  public static SyncSettings from(JsonObject config) {
    Section sync = Section.of(config, SECTION);
    return new SyncSettings(
      sync.integer("intervalMs"), sync.integer("batchSize"), sync.integer("leaseMs"),
      sync.integer("maxAttempts"), sync.integer("retryBaseDelayMs"), sync.integer("retryMaxDelayMs"),
      sync.integer("shutdownGraceMs"),
      sync.integer("refreshIntervalMs"), sync.longValue("refreshAfterMs"),
      sync.string("listPath"), sync.string("listNext"), sync.integer("listPageSize"), sync.longValue("walkIntervalMs"), sync.integer("walkPagesInFlight"),
      sync.fraction("walkMaxRemoveFraction"),
      sync.string("deltaPath"), sync.string("changedSincePath"), sync.longValue("deltaIntervalMs"),
      sync.longValue("changedSinceOverlapMs"));
  }
}
