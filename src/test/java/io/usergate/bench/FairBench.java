package io.usergate.bench;

import io.usergate.cache.Freshness.Directives;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchMessages;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * Issue 24's case: a directory that answers in 100 ms, 10 permits; a noisy caller keeps 400 misses waiting
 * through fetch.many while a quiet one sends one miss at a time. The rows: the quiet caller's median miss
 * against its median alone (the aim: at most 2 times), the noisy caller's users a second against what the
 * directory can give (the permits stay busy), and, for the record, the quiet caller's median when both
 * are anonymous (one queue, first in first out: what it was before the fair share).
 */
final class FairBench {

  private static final long LATENCY_MS = 100;
  private static final int PERMITS = 10;
  private static final int NOISY_QUEUED = 400;
  private static final int NOISY_BATCH = 50;
  private static final int QUIET_MISSES = 40;
  private static final int FIFO_MISSES = 5;
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(120_000);

  static void run(Report report) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    Vertx vertx = Vertx.vertx();
    try {
      FakeDirectory directory = new FakeDirectory().deployOn(vertx).defaultDelay(LATENCY_MS);
      JsonObject config = TestConfig.against(directory);
      config.getJsonObject("upstream").put("maxConcurrent", PERMITS).put("queueTimeoutMs", 120_000);
      Stack.services(vertx, config);
      AtomicLong nextId = new AtomicLong(1);

      double alone = Report.median(quiet(vertx, "quiet", QUIET_MISSES, nextId));

      Noisy noisy = new Noisy(vertx, "noisy", nextId);
      noisy.start();
      awaitQueued(vertx, NOISY_QUEUED - PERMITS);
      int callsBefore = directory.totalCalls();
      long started = System.nanoTime();
      double shared = Report.median(quiet(vertx, "quiet", QUIET_MISSES, nextId));
      double seconds = (System.nanoTime() - started) / 1e9;
      double callsPerSecond = (directory.totalCalls() - callsBefore) / seconds;
      // Every call of the directory meanwhile was the noisy caller's but the quiet one's own.
      double quietPerSecond = QUIET_MISSES / seconds;
      double noisyPerSecond = callsPerSecond - quietPerSecond;
      noisy.stop().await(120, TimeUnit.SECONDS);

      // Before: everyone anonymous, one queue, first in first out.
      Noisy anonymous = new Noisy(vertx, null, nextId);
      anonymous.start();
      awaitQueued(vertx, NOISY_QUEUED - PERMITS);
      double fifo = Report.median(quiet(vertx, null, FIFO_MISSES, nextId));
      anonymous.stop().await(120, TimeUnit.SECONDS);

      report.add("fair share: the quiet caller's median miss (one at a time) while a noisy one keeps " + NOISY_QUEUED
        + " queued; " + PERMITS + " permits, directory " + LATENCY_MS + " ms", shared, "ms", "alone", alone, "≤ 2");
      double most = PERMITS * 1000.0 / LATENCY_MS;
      report.add("fair share: the noisy caller's misses a second meanwhile", noisyPerSecond, "users/s",
        "the rest of the directory (its most less the quiet caller's " + Math.round(quietPerSecond) + "/s)",
        most - quietPerSecond, "≥ 0.9 (the noisy caller gets the rest)");
      report.add("fair share: the directory's calls a second meanwhile (both callers)", callsPerSecond, "calls/s",
        "its most (" + PERMITS + " permits / " + LATENCY_MS + " ms, nothing else in the way)", most,
        "≥ 0.9 (the directory stays busy)");
      report.add("one FIFO queue (both anonymous, as before): the quiet caller's median miss", fifo, "ms", "alone", alone,
        "for the record");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** {@code count} misses of {@code caller}, one at a time: each one's latency in ms. */
  private static List<Double> quiet(Vertx vertx, String caller, int count, AtomicLong nextId) throws Exception {
    List<Double> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      FetchMessages.One one = new FetchMessages.One(String.valueOf(nextId.getAndIncrement()),
        Directives.NONE, false, null, caller);
      long sent = System.nanoTime();
      vertx.eventBus().request(FetchAddresses.ONE, one.toJson(), LONG).await(120, TimeUnit.SECONDS);
      latencies.add((System.nanoTime() - sent) / 1e6);
    }
    return latencies;
  }

  /** Waits until at least {@code queued} misses wait for a permit (fetch.status). */
  private static void awaitQueued(Vertx vertx, int queued) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (vertx.eventBus().<JsonObject>request(FetchAddresses.STATUS, new JsonObject()).await(10, TimeUnit.SECONDS)
      .body().getInteger("queued") < queued) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the noisy caller never had " + queued + " misses queued");
      }
      vertx.timer(20, TimeUnit.MILLISECONDS).await(1, TimeUnit.SECONDS);
    }
  }

  /** Keeps {@value NOISY_QUEUED} misses of one caller outstanding, in fetch.many requests of {@value NOISY_BATCH}. */
  private static final class Noisy {
    final Vertx vertx;
    final String caller;
    final AtomicLong nextId;
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Future<Void>> streams = new ArrayList<>();

    Noisy(Vertx vertx, String caller, AtomicLong nextId) {
      this.vertx = vertx;
      this.caller = caller;
      this.nextId = nextId;
    }

    void start() {
      for (int i = 0; i < NOISY_QUEUED / NOISY_BATCH; i++) {
        Promise<Void> ended = Promise.promise();
        streams.add(ended.future());
        vertx.runOnContext(v -> next(ended));
      }
    }

    /** One fetch.many after another, until stopped. */
    private void next(Promise<Void> ended) {
      if (!running.get()) {
        ended.complete();
        return;
      }
      long first = nextId.getAndAdd(NOISY_BATCH);
      List<String> ids = LongStream.range(first, first + NOISY_BATCH).mapToObj(String::valueOf).toList();
      FetchMessages.Many many = new FetchMessages.Many(ids, true, Directives.NONE, true,
        null, caller);
      vertx.eventBus().<JsonObject>request(FetchAddresses.MANY, many.toJson(), LONG)
        .onComplete(done -> next(ended));
    }

    Future<?> stop() {
      running.set(false);
      return Future.all(streams);
    }
  }

  private FairBench() {
  }
}
