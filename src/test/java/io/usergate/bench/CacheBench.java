package io.usergate.bench;

import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.fetch.FetchAddresses;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.web.HttpVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * usergate as a cache, each against its baseline in the same run: the upstream calls of a Zipf-shaped
 * load against the distinct ids it asks for; hot hits of {@code GET /users/{id}} against
 * {@code GET /store/users/{id}}; the rate the upstream sees under a 10× overload against
 * {@code upstream.maxRatePerSecond}.
 */
final class CacheBench {

  private static final int USERS = 10_000;

  static void run(Report report) throws Exception {
    zipf(report);
    hotHits(report);
    overload(report);
    bulkFanOut(report);
  }

  private static JsonObject config() {
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("cache").put("memoryBytes", 64L * 1024 * 1024).put("freshForMs", 60_000L).put("notFoundForMs", 60_000L);
    config.getJsonObject("http").put("drainDelayMs", 0);
    config.getJsonObject("sync").put("intervalMs", 3_600_000);
    return config;
  }

  /** 3,000 requests, Zipf s = 1.1 over 10,000 ids, 64 in flight, the demo at 50 ms. */
  private static void zipf(Report report) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = config();
      config.getJsonObject("demo").put("latencyMs", 50).put("jitterMs", 0).put("users", USERS);
      DemoDirectoryVerticle demo = Stack.demoUpstream(vertx, config);
      Stack.services(vertx, config);
      long[] sample = zipfSample(3000, USERS, 1.1, new Random(42));
      Set<Long> distinct = new HashSet<>();
      for (long id : sample) {
        distinct.add(id);
      }
      AtomicInteger next = new AtomicInteger();
      List<Future<Void>> loops = new ArrayList<>();
      for (int c = 0; c < 64; c++) {
        Promise<Void> done = Promise.promise();
        loop(vertx, sample, next, done);
        loops.add(done.future());
      }
      Future.all(loops).await(300, TimeUnit.SECONDS);
      report.add("Zipf s = 1.1, 3,000 requests over " + USERS + " ids, 64 in flight: upstream calls", demo.requests(), "calls",
        "distinct ids asked", distinct.size(), "≤ 1.01");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static void loop(Vertx vertx, long[] sample, AtomicInteger next, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= sample.length) {
      done.complete();
      return;
    }
    vertx.eventBus().request(FetchAddresses.ONE, new JsonObject().put("id", sample[i]))
      .onComplete(reply -> loop(vertx, sample, next, done));
  }

  /** Ranks 1..n drawn with P(k) ∝ 1 / k^s, each rank a shuffled id. */
  static long[] zipfSample(int count, int n, double s, Random random) {
    double[] cumulative = new double[n];
    double total = 0;
    for (int k = 1; k <= n; k++) {
      total += 1 / Math.pow(k, s);
      cumulative[k - 1] = total;
    }
    long[] idOfRank = new long[n];
    for (int k = 0; k < n; k++) {
      idOfRank[k] = k + 1;
    }
    for (int k = n - 1; k > 0; k--) {
      int j = random.nextInt(k + 1);
      long t = idOfRank[k];
      idOfRank[k] = idOfRank[j];
      idOfRank[j] = t;
    }
    long[] sample = new long[count];
    for (int i = 0; i < count; i++) {
      double u = random.nextDouble() * total;
      int lo = 0;
      int hi = n - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cumulative[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      sample[i] = idOfRank[lo];
    }
    return sample;
  }

  /** wrk on 1,000 hot ids, all fresh in the mirror: GET /users/{id} against GET /store/users/{id}. */
  private static void hotHits(Report report) throws Exception {
    if (!WebBench.onPath("wrk")) {
      throw new IllegalStateException("wrk is not installed (scripts/bench installs it with apt-get)");
    }
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    Vertx vertx = Vertx.vertx();
    Path script = Files.createTempFile("usergate-wrk", ".lua");
    try {
      JsonObject config = config();
      config.getJsonObject("demo").put("latencyMs", 50).put("jitterMs", 0).put("users", USERS);
      Stack.demoUpstream(vertx, config);
      HttpVerticle web = Stack.all(vertx, config);
      WebBench.preload(vertx);
      String duration = System.getProperty("bench.wrkDuration", "8s");
      List<WebBench.WrkResult> hits = new ArrayList<>();
      List<WebBench.WrkResult> stores = new ArrayList<>();
      for (String path : new String[] {"/users/", "/store/users/"}) {
        Files.writeString(script, "request = function() return wrk.format(\"GET\", \"" + path + "\" .. math.random(1, 1000)) end\n");
        WebBench.wrk(web.actualPort(), script, "2s");
      }
      for (int round = 0; round < 2; round++) {
        for (String path : new String[] {"/users/", "/store/users/"}) {
          Files.writeString(script, "request = function() return wrk.format(\"GET\", \"" + path + "\" .. math.random(1, 1000)) end\n");
          (path.equals("/users/") ? hits : stores).add(WebBench.wrk(web.actualPort(), script, duration));
        }
      }
      WebBench.WrkResult hit = best(hits);
      WebBench.WrkResult store = best(stores);
      report.add("GET /users/{id}, hot ids fresh in the mirror (cache hits), p50 " + hit.p50() + ", p99 " + hit.p99()
          + ", errors " + hit.errors(), hit.requestsPerSecond(), "req/s",
        "GET /store/users/{id}, p50 " + store.p50() + ", p99 " + store.p99(), store.requestsPerSecond(), "≥ 0.9, p99 ≤ 1.2×");
    } finally {
      Files.deleteIfExists(script);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static WebBench.WrkResult best(List<WebBench.WrkResult> results) {
    return results.stream().max((a, b) -> Double.compare(a.requestsPerSecond(), b.requestsPerSecond())).orElseThrow();
  }

  /** R = 100/s, 1,000 misses a second offered for 5 s: what the upstream sees per second, and every answer's time. */
  private static void overload(Report report) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    Vertx vertx = Vertx.vertx();
    int rate = 100;
    try {
      JsonObject config = config();
      config.getJsonObject("demo").put("latencyMs", 5).put("jitterMs", 0).put("users", 100_000);
      config.getJsonObject("upstream").put("maxRatePerSecond", rate).put("queueTimeoutMs", 2000).put("retries", 0);
      DemoDirectoryVerticle demo = Stack.demoUpstream(vertx, config);
      Stack.services(vertx, config);
      AtomicLong answered = new AtomicLong();
      AtomicLong overloaded = new AtomicLong();
      AtomicLong other = new AtomicLong();
      AtomicLong slowestMs = new AtomicLong();
      List<Long> perSecond = new ArrayList<>();
      long lastCount = demo.requests();
      List<Future<?>> calls = new ArrayList<>();
      long id = 1;
      DeliveryOptions deadline = new DeliveryOptions().setSendTimeout(10_000);
      for (int second = 0; second < 5; second++) {
        long secondStart = System.nanoTime();
        for (int tick = 0; tick < 20; tick++) {
          for (int i = 0; i < 50; i++) {
            long sent = System.nanoTime();
            calls.add(vertx.eventBus().request(FetchAddresses.ONE, new JsonObject().put("id", id++), deadline)
              .onComplete(done -> {
                slowestMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent), Math::max);
                if (done.succeeded()) {
                  answered.incrementAndGet();
                } else if (done.cause() instanceof ReplyException reply && reply.failureCode() == 503) {
                  overloaded.incrementAndGet();
                } else {
                  other.incrementAndGet();
                }
              }));
          }
          long wait = secondStart + (tick + 1) * 50_000_000L - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);  // paces the offered load, not a test's wait
          }
        }
        long count = demo.requests();
        perSecond.add(count - lastCount);
        lastCount = count;
      }
      Future.join(calls).otherwiseEmpty().await(60, TimeUnit.SECONDS);
      long most = perSecond.stream().skip(1).mapToLong(Long::longValue).max().orElse(0);
      System.out.printf("bench: overload: upstream per second %s; answered %d, OVERLOADED %d, other %d, slowest %d ms%n",
        perSecond, answered.get(), overloaded.get(), other.get(), slowestMs.get());
      report.add("10× overload (1,000 misses/s for 5 s) at upstream.maxRatePerSecond " + rate + ": upstream calls in the busiest"
          + " second after the first; answered " + answered.get() + ", OVERLOADED " + overloaded.get() + ", other " + other.get()
          + ", slowest answer " + slowestMs.get() + " ms (deadline 2,000 ms + 5 ms)", most, "calls/s",
        "upstream.maxRatePerSecond", rate, "≤ 1.02");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** 100 missing ids through the bulk endpoint, demo at L = 50 ms, maxBatchSize 100: median of 7 after 5 warm-ups. */
  private static void bulkFanOut(Report report) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = config();
      config.getJsonObject("demo").put("latencyMs", 50).put("jitterMs", 0).put("users", 100_000);
      config.getJsonObject("upstream").put("batchPath", "/users{?id*}").put("maxBatchSize", 100).put("maxConcurrent", 10);
      Stack.demoUpstream(vertx, config);
      Stack.services(vertx, config);
      long next = 1;
      List<Double> times = new ArrayList<>();
      for (int run = 0; run < 12; run++) {
        JsonArray ids = new JsonArray();
        for (int i = 0; i < 100; i++) {
          ids.add(next++);
        }
        long start = System.nanoTime();
        vertx.eventBus().request(FetchAddresses.MANY, new JsonObject().put("ids", ids)).await(60, TimeUnit.SECONDS);
        if (run >= 5) {
          times.add((System.nanoTime() - start) / 1e6);
        }
      }
      report.add("fan-out of 100 missing ids through the bulk endpoint (upstream.batchPath, maxBatchSize 100, maxConcurrent 10),"
        + " L = 50 ms (median ms)", Report.median(times), "ms", "L", 50, "≤ 1.3 (one at a time per permit: ceil(100/10) × L = 10×)");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private CacheBench() {
  }
}
