package io.usergate.bench;

import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreVerticle;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out of N = 100 ids against the demo directory at L = 50 ms: with maxConcurrent 100 and 10, and the
 * one-at-a-time loop as the baseline. Each is reported as the ratio of its median time to the ideal
 * ceil(N / k) × L.
 */
final class FetchBench {

  private static final int N = 100;
  private static final int LATENCY_MS = 50;
  private static final int RUNS = 7;
  private static final int WARMUPS = Integer.getInteger("bench.warmups", 20);

  static void run(Report report) throws Exception {
    TestDatabase.execute("TRUNCATE users");
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("demo").put("port", 0).put("latencyMs", LATENCY_MS).put("jitterMs", 0).put("users", 100_000);
      DemoDirectoryVerticle demo = new DemoDirectoryVerticle();
      vertx.deployVerticle(demo, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
      config.getJsonObject("upstream").put("baseUrl", "http://127.0.0.1:" + demo.actualPort());
      vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);

      for (int k : new int[] {100, 10}) {
        config.getJsonObject("upstream").put("maxConcurrent", k);
        String id = vertx.deployVerticle(new FetchVerticle(), new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
        double median = medianMs(() -> fanOut(vertx));
        double ideal = Math.ceil((double) N / k) * LATENCY_MS;
        String aim = k == N ? "≤ (1.1 × L + 10) / L = 1.30" : "≤ (1.05 × 10 × L + 10) / (10 × L) = 1.07";
        report.add("fetch.many of " + N + " ids at L = 50 ms, maxConcurrent " + k + " (median ms)", median, "ms",
          "ideal ceil(N/k) × L", ideal, aim);
        vertx.undeploy(id).await(10, TimeUnit.SECONDS);
      }

      config.getJsonObject("upstream").put("maxConcurrent", 100);
      vertx.deployVerticle(new FetchVerticle(), new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
      double loop = medianMs(() -> oneAtATime(vertx), 3, 1);
      report.add("baseline: one fetch.one at a time, " + N + " ids (median ms)", loop, "ms",
        "ideal N × L", N * LATENCY_MS, "≈ 1 (what usergate saves)");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static long nextId = 1;

  private static void fanOut(Vertx vertx) throws Exception {
    JsonArray ids = new JsonArray();
    for (int i = 0; i < N; i++) {
      ids.add(nextId++);
    }
    vertx.eventBus().request(FetchAddresses.MANY, new JsonObject().put("ids", ids).put("mode", "all"))
      .await(60, TimeUnit.SECONDS);
  }

  private static void oneAtATime(Vertx vertx) throws Exception {
    for (int i = 0; i < N; i++) {
      vertx.eventBus().request(FetchAddresses.ONE, new JsonObject().put("id", nextId++)).await(60, TimeUnit.SECONDS);
    }
  }

  interface Run {
    void run() throws Exception;
  }

  private static double medianMs(Run run) throws Exception {
    return medianMs(run, RUNS, WARMUPS);
  }

  /** Warm-up runs (the JIT, the connection pool), then the median of {@code runs}. */
  private static double medianMs(Run run, int runs, int warmups) throws Exception {
    for (int i = 0; i < warmups; i++) {
      run.run();
    }
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      run.run();
      times.add((System.nanoTime() - start) / 1e6);
    }
    return Report.median(times);
  }

  private FetchBench() {
  }
}
