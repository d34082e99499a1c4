package io.usergate.bench;

import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/**
 * Users synced per second for 20,000 ids, batchSize 500, maxConcurrent 64: with the demo directory at
 * 0 ms against the store's raw upsert rate, and at 20 ms against the ideal ceil(N / k) × L.
 */
final class SyncBench {

  private static final int N = 20_000;
  private static final int K = 64;

  static void run(Report report) throws Exception {
    double upsertRate = rawUpsertRate();
    syncRate(0); // warm-up: the JIT, the connection pools
    double at0 = syncRate(0);
    report.add("sync of 20,000 ids, demo at 0 ms", at0, "users/s", "store.upsert raw rate, same rows", upsertRate,
      "(the whole pipeline against its last stage)");
    double bulk = syncRate(0, "/users{?id*}");
    report.add("sync of 20,000 ids, demo at 0 ms, through its bulk endpoint (upstream.batchPath /users{?id*})", bulk, "users/s",
      "store.upsert raw rate, same rows", upsertRate, "≥ 0.6");
    double at20 = syncRate(20);
    double ideal = N / (Math.ceil((double) N / K) * 20 / 1000.0);
    report.add("sync of 20,000 ids, demo at 20 ms", at20, "users/s", "ideal N / (ceil(N/k) × L)", ideal,
      "(batch boundaries and claims cost)");
  }

  private static double rawUpsertRate() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(TestConfig.forTests())).await(10, TimeUnit.SECONDS);
      for (int round = 0; round < 2; round++) {
        TestDatabase.execute("TRUNCATE users");
        long start = System.nanoTime();
        for (int from = 1; from <= N; from += 500) {
          JsonArray users = new JsonArray();
          for (long id = from; id < from + 500; id++) {
            users.add(DemoDirectoryVerticle.user(id));
          }
          vertx.eventBus().request(StoreAddresses.UPSERT, new JsonObject().put("users", users)).await(60, TimeUnit.SECONDS);
        }
        if (round == 1) {
          return N / StoreBench.seconds(start);
        }
      }
      throw new IllegalStateException();
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static double syncRate(int latencyMs) throws Exception {
    return syncRate(latencyMs, "");
  }

  private static double syncRate(int latencyMs, String batchPath) throws Exception {
    return syncRate(latencyMs, config -> config.getJsonObject("upstream").put("batchPath", batchPath));
  }

  /**
   * Users synced per second for N ids, batchSize 500, maxConcurrent K, the demo at {@code latencyMs},
   * with the configuration changed by {@code tweak}; shared by QueueBench (the change feed's cost).
   */
  static double syncRate(int latencyMs, Consumer<JsonObject> tweak) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes");
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("demo").put("latencyMs", latencyMs).put("jitterMs", 0).put("users", N);
      config.getJsonObject("sync").put("batchSize", 500).put("intervalMs", 5);
      config.getJsonObject("upstream").put("maxConcurrent", K);
      tweak.accept(config);
      Stack.demoUpstream(vertx, config);
      Stack.services(vertx, config);
      long start = System.nanoTime();
      for (int from = 1; from <= N; from += 10_000) {
        JsonArray ids = new JsonArray();
        for (long id = from; id < from + 10_000; id++) {
          ids.add(id);
        }
        vertx.eventBus().request(StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", ids)).await(30, TimeUnit.SECONDS);
      }
      // Polled every 10 ms: the granularity of the figure.
      await().atMost(Duration.ofMinutes(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() ->
        vertx.eventBus().<JsonObject>request(StoreAddresses.JOBS_STATUS, new JsonObject())
          .await(10, TimeUnit.SECONDS).body().getLong("done") >= N);
      return N / StoreBench.seconds(start);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private SyncBench() {
  }
}
