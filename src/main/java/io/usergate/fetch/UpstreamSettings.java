package io.usergate.fetch;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

/**
 * The fetch verticle's configuration: the {@code upstream} section, read once through the key table
 * ({@link io.usergate.config.ConfigKeys}), where each key's range, default and meaning live.
 */
public record UpstreamSettings(
  String baseUrl, String userPath,
  // credentials, on every call (upstream.headers), and the token of the directory (upstream.tokenUrl ...; null: none)
  UpstreamHeaders headers, TokenEndpoint token,
  // TLS towards the directory and its token endpoint (upstream.tlsCaPath, upstream.tlsCertPath, upstream.tlsKeyPath)
  UpstreamTls tls,
  // one attempt, and the retries after it
  int timeoutMs, int retries, int retryBaseDelayMs,
  // the semaphore and its queue, the request rate and the directory's Retry-After
  int maxConcurrent, int maxQueued, int queueTimeoutMs, int maxRatePerSecond, int maxBurst, int rateMarginMs,
  int maxPauseMs, String budget,
  // the directory's own rate-limit headers
  boolean rateLimitHeaders, int rateLimitReserve,
  // the size of what is asked and of what comes back
  int maxIdsPerRequest, int maxBodyBytes,
  // the directory's bulk endpoint
  String batchPath, String batchFilter, String batchFilterJoin, int batchDelayMs, int maxBatchSize,
  // the circuit breaker
  boolean breakerEnabled, int breakerMaxFailures, int breakerWindowMs, int breakerResetMs,
  // the write-through to the store
  int writeThroughDelayMs, int writeThroughMinIntervalMs,
  // the directory's paged list, walked by the sync (its keys are sync.listPath, sync.listNext ...)
  String listPath, String listNext, JsonPointer listNextPointer, String listTokenParam,
  // the directory's changes, followed by the sync (sync.deltaPath ..., sync.changedSincePath)
  String deltaPath, JsonPointer deltaNextPointer, JsonPointer deltaLinkPointer, JsonPointer deltaRemovedPointer,
  String changedSincePath) {

  public static final String SECTION = "upstream";

  /** {@code upstream.budget = cluster}: maxConcurrent and maxRatePerSecond are totals for the cluster. */
  public boolean clusterBudget() {
    return "cluster".equals(budget);
  }

  /** The {@code upstream} section of {@code config} (a verticle's configuration, or the whole one). */
  public static UpstreamSettings from(JsonObject config) {
    Section upstream = Section.of(config, SECTION);
    return new UpstreamSettings(
      upstream.string("baseUrl"), upstream.string("userPath"),
      new UpstreamHeaders(upstream.headers("headers")), TokenEndpoint.from(upstream), UpstreamTls.from(upstream),
      upstream.integer("timeoutMs"), upstream.integer("retries"), upstream.integer("retryBaseDelayMs"),
      upstream.integer("maxConcurrent"), upstream.integer("maxQueued"), upstream.integer("queueTimeoutMs"),
      upstream.integer("maxRatePerSecond"), upstream.integer("maxBurst"), upstream.integer("rateMarginMs"),
      upstream.integer("maxPauseMs"), upstream.string("budget"),
      upstream.bool("rateLimitHeaders"), upstream.integer("rateLimitReserve"),
      upstream.integer("maxIdsPerRequest"), upstream.integer("maxBodyBytes"),
      upstream.string("batchPath"), upstream.string("batchFilter"), upstream.string("batchFilterJoin"), upstream.integer("batchDelayMs"), upstream.integer("maxBatchSize"),
      upstream.bool("breakerEnabled"), upstream.integer("breakerMaxFailures"), upstream.integer("breakerWindowMs"),
      upstream.integer("breakerResetMs"),
      upstream.integer("writeThroughDelayMs"), upstream.integer("writeThroughMinIntervalMs"),
      config.containsKey("sync") ? Section.of(config, "sync").string("listPath") : "",
      config.containsKey("sync") ? Section.of(config, "sync").string("listNext") : "offset",
      config.containsKey("sync") ? Section.of(config, "sync").pointer("listNextPointer") : JsonPointer.create(),
      config.containsKey("sync") ? Section.of(config, "sync").string("listTokenParam") : "",
      config.containsKey("sync") ? Section.of(config, "sync").string("deltaPath") : "",
      config.containsKey("sync") ? Section.of(config, "sync").pointer("deltaNextPointer") : JsonPointer.from("/@odata.nextLink"),
      config.containsKey("sync") ? Section.of(config, "sync").pointer("deltaLinkPointer") : JsonPointer.from("/@odata.deltaLink"),
      config.containsKey("sync") ? Section.of(config, "sync").pointer("deltaRemovedPointer") : JsonPointer.from("/@removed"),
      config.containsKey("sync") ? Section.of(config, "sync").string("changedSincePath") : "");
  }
}
