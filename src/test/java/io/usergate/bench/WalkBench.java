package io.usergate.bench;

import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * The walk of the whole directory (issue 13): 100,000 users from the demo directory at page size 100 and
 * L = 20 ms, against store.upsert of the same rows, 100 a transaction, one after the other (what the walk
 * stores, without fetching); and the live heap during the walk, against a walk of 10,000 users.
 */
final class WalkBench {

  private static final int N = 100_000;
  private static final int PAGE = 100;
  private static final int LATENCY_MS = 20;

  private record Walked(double usersPerSecond, double peakLiveHeapMb) {
  }

  static void run(Report report) throws Exception {
    double upsert = upsertRate();
    walk(10_000); // warm-up: the JIT, the pools
    Walked small = walk(10_000);
    Walked big = walk(N);
    report.add("walk of 100,000 users, demo at 20 ms, page 100, 4 pages in flight", big.usersPerSecond(), "users/s",
      "store.upsert of the same rows, 100 a transaction", upsert, "≥ 0.7");
    report.add("live heap at its peak during the walk of 100,000 users (sampled after a GC every second)", big.peakLiveHeapMb(),
      "MB", "the same during a walk of 10,000 users", small.peakLiveHeapMb(), "flat: ≈ 1");
  }

  private static double upsertRate() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE user_changes");
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(TestConfig.forTests())).await(10, TimeUnit.SECONDS);
      long start = System.nanoTime();
      for (int from = 1; from <= N; from += PAGE) {
        JsonArray users = new JsonArray();
        for (long id = from; id < from + PAGE; id++) {
          users.add(DemoDirectoryVerticle.user(id));
        }
        vertx.eventBus().request(StoreAddresses.UPSERT, new JsonObject().put("users", users)).await(60, TimeUnit.SECONDS);
      }
      return N / StoreBench.seconds(start);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Walked walk(int users) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE user_changes",
      Sql.RESET_WALK);
    Vertx vertx = Vertx.vertx();
    AtomicLong peak = new AtomicLong();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    try {
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("demo").put("latencyMs", LATENCY_MS).put("jitterMs", 0).put("users", users);
      config.getJsonObject("sync").put("listPath", "/users{?limit,skip}").put("listPageSize", PAGE).put("intervalMs", 3_600_000);
      Stack.demoUpstream(vertx, config);
      Stack.services(vertx, config);
      long start = System.nanoTime();
      // The live heap: sampled after a full collection, every second of the walk.
      sampler.scheduleAtFixedRate(() -> {
        System.gc();
        peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
      }, 0, 1, TimeUnit.SECONDS);
      vertx.eventBus().request(SyncAddresses.WALK, new JsonObject()).await(10, TimeUnit.SECONDS);
      // Polled every 10 ms: the granularity of the figure.
      await().atMost(Duration.ofMinutes(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() ->
        !"running".equals(vertx.eventBus().<JsonObject>request(StoreAddresses.WALK_STATUS, new JsonObject())
          .await(10, TimeUnit.SECONDS).body().getString("state")));
      double rate = users / StoreBench.seconds(start);
      JsonObject walk = vertx.eventBus().<JsonObject>request(StoreAddresses.WALK_STATUS, new JsonObject()).await(10, TimeUnit.SECONDS).body();
      if (!"done".equals(walk.getString("state")) || walk.getLong("users") != users) {
        throw new IllegalStateException("the walk did not complete: " + walk.encode());
      }
      return new Walked(rate, peak.get() / 1e6);
    } finally {
      sampler.shutdownNow();
      sampler.awaitTermination(10, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private WalkBench() {
  }
}
