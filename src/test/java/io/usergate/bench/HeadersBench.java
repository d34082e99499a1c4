package io.usergate.bench;

import io.usergate.fetch.FetchAddresses;
import io.usergate.support.RateLimitedDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Issue 23's case, at its scale: a directory that allows 60 requests per 10 seconds and says so in its headers
 * (Okta's dialect, fixed windows, refusing the rest with 429), 300 distinct misses at once through fetch.many,
 * every setting at its default. The rows: the share of its budget the directory's calls used (against the
 * ideal, 300 calls at 59 a window), and the refusals (the aim: none).
 */
final class HeadersBench {

  private static final int LIMIT = 60;
  private static final long WINDOW_MS = 10_000;
  private static final int MISSES = 300;

  static void run(Report report) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    Vertx vertx = Vertx.vertx();
    try {
      RateLimitedDirectory directory = new RateLimitedDirectory(LIMIT, WINDOW_MS, RateLimitedDirectory.Dialect.OKTA);
      vertx.deployVerticle(directory).await(10, TimeUnit.SECONDS);
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("upstream").put("baseUrl", directory.baseUrl()).put("queueTimeoutMs", 120_000);
      Stack.services(vertx, config);
      JsonArray ids = new JsonArray(IntStream.rangeClosed(1, MISSES).boxed().toList());
      long started = System.nanoTime();
      JsonObject reply = vertx.eventBus().<JsonObject>request(FetchAddresses.MANY,
          new JsonObject().put("ids", ids).put("mode", "settled"), new DeliveryOptions().setSendTimeout(180_000))
        .await(190, TimeUnit.SECONDS).body();
      double seconds = (System.nanoTime() - started) / 1e9;
      // One call of each window kept back (upstream.rateLimitReserve): 59 a window at best.
      double ideal = Math.ceil((double) MISSES / (LIMIT - 1) - 1) * WINDOW_MS / 1000.0;
      report.add("rate-limit headers (Okta's), " + LIMIT + " per " + WINDOW_MS / 1000 + " s, " + MISSES + " misses at once, "
          + "defaults: " + reply.getInteger("succeeded") + " answered, " + directory.requests() + " calls, busiest window "
          + directory.busiestWindow(), ideal, "s (ideal)", "the time they took", seconds,
        "≥ 0.8 of the budget used");
      report.add("rate-limit headers: 429s the directory had to answer", directory.refused(), "refused",
        "calls", directory.requests(), "0 — " + (directory.refused() == 0 ? "met" : "NOT met"));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private HeadersBench() {
  }
}
