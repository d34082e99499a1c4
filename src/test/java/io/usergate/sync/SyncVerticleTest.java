package io.usergate.sync;

import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.Database;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Users;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The periodic sync on a real PostgreSQL, with a real fetch verticle against a counting upstream. */
@ExtendWith(VertxExtension.class)
class SyncVerticleTest {

  private final FakeDirectory upstream = new FakeDirectory();

  @BeforeEach
  void cleanTables() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
  }

  /** The upstream, store and fetch verticles, and the config for a sync verticle, tweaked. */
  private JsonObject deploy(Vertx vertx, Consumer<JsonObject> tweak) throws Exception {
    upstream.deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    config.getJsonObject("upstream").put("timeoutMs", 2000)
      .put("breakerEnabled", false);
    config.getJsonObject("sync").put("intervalMs", 50).put("batchSize", 500).put("leaseMs", 10_000)
      .put("retryBaseDelayMs", 20).put("shutdownGraceMs", 5000);
    tweak.accept(config);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);
    return config;
  }

  private static String deploySync(Vertx vertx, JsonObject config) throws Exception {
    return vertx.deployVerticle(new SyncVerticle(), new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
  }

  private static JsonObject enqueue(Vertx vertx, long from, long to) throws Exception {
    JsonArray ids = new JsonArray();
    for (long id = from; id <= to; id++) {
      ids.add(id);
    }
    return Bus.call(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", ids));
  }

  @Test
  @DisplayName("1,000 ids enqueued end done, all in the mirror, each fetched once; progress is published")
  void drainsTheQueue(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> { });
    List<JsonObject> progress = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(SyncAddresses.PROGRESS, message -> progress.add(message.body()));
    deploySync(vertx, config);
    assertEquals(1000, enqueue(vertx, 1, 1000).getInteger("enqueued"));
    assertEquals(0, enqueue(vertx, 1, 1000).getInteger("enqueued"), "already pending or running: a no-op");
    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE state = 'done'", 1000, 30_000);
    assertEquals(1000, Sql.count("SELECT count(*) FROM users"));
    assertEquals(1000, upstream.totalCalls(), "each id fetched once");
    assertTrue(progress.stream().mapToLong(p -> p.getLong("claimed")).sum() >= 1000);
    JsonObject last = progress.get(progress.size() - 1);
    for (String field : new String[] {"claimed", "succeeded", "failed", "retried", "pendingLeft", "durationMs"}) {
      assertTrue(last.containsKey(field), field + " in " + last);
    }
    JsonObject status = Bus.call(vertx, SyncAddresses.STATUS, new JsonObject());
    assertEquals(1000L, status.getJsonObject("jobs").getLong("done"));
    assertTrue(status.getString("nextRunAt") != null && status.getJsonObject("lastBatch") != null, status.encode());
  }

  @Test
  @DisplayName("404 removes the user from the mirror; 500 and a hang are retried with backoff, then failed with last_error")
  void failuresAndRemovals(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> {
      c.getJsonObject("upstream").put("timeoutMs", 300);
      c.getJsonObject("sync").put("maxAttempts", 3);
    });
    Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", Users.range(1, 1, "old")).put("fetchedAt", "2020-01-01T00:00:00Z"));
    upstream.script(1, Behaviour.NOT_FOUND, 0).script(2, Behaviour.FAIL, 0).script(3, Behaviour.HANG, 0);
    deploySync(vertx, config);
    enqueue(vertx, 1, 4);
    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE state IN ('done', 'failed')", 4, 30_000);
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '1'"), "404: removed from the mirror");
    assertEquals(1, Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id = '1' AND state = 'done'"));
    assertEquals(1, Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id = '2' AND state = 'failed' AND attempts = 3 AND last_error LIKE 'UPSTREAM_ERROR%'"));
    assertEquals(1, Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id = '3' AND state = 'failed' AND attempts = 3 AND last_error LIKE 'UPSTREAM_TIMEOUT%'"));
    assertEquals(1, Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id = '4' AND state = 'done'"));
    assertEquals(3, upstream.calls(2));
  }

  @Test
  @DisplayName("sync.intervalMs 60 s: a job whose first fetch fails (500 once) runs again after its backoff, not at the next tick, "
    + "done within 10 s; meanwhile nextRunAt says that retry, then the tick again")
  void aFailedJobRunsWhenDue(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> c.getJsonObject("sync").put("intervalMs", 60_000).put("retryBaseDelayMs", 500));
    upstream.failFirst(1, 1);
    deploySync(vertx, config);
    long start = System.nanoTime();
    enqueue(vertx, 1, 1);
    // The enqueue wakes the sync (NOTIFY); the first attempt fails and is pending again after 250-500 ms.
    JsonObject failedOnce = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
      .until(() -> Bus.call(vertx, SyncAddresses.STATUS, new JsonObject()),
        status -> status.getJsonObject("lastBatch") != null && status.getJsonObject("lastBatch").getLong("retried") == 1);
    long retryInMs = Instant.parse(failedOnce.getString("nextRunAt")).toEpochMilli() - System.currentTimeMillis();
    assertTrue(retryInMs <= 1_000, "the next run is the retry, within the backoff's 500 ms, not the tick: " + failedOnce.encode());

    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE user_id = '1' AND state = 'done' AND attempts = 1", 1, 10_000);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMs < 10_000, "done in " + tookMs + " ms, the interval is 60 s");
    assertEquals(2, upstream.calls(1));
    assertEquals(1, Sql.count("SELECT count(*) FROM users WHERE id = '1'"));
    JsonObject after = Bus.call(vertx, SyncAddresses.STATUS, new JsonObject());
    long tickInMs = Instant.parse(after.getString("nextRunAt")).toEpochMilli() - System.currentTimeMillis();
    assertTrue(tickInMs > 30_000, "nothing due later: the next run is the periodic tick: " + after.encode());
  }

  @Test
  @DisplayName("sync.intervalMs 60 s: a failed job that falls due while a slow batch fetches runs right after that batch, not at the next tick")
  void dueDuringASlowBatch(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> {
      c.getJsonObject("upstream").put("timeoutMs", 5000);
      c.getJsonObject("sync").put("intervalMs", 60_000).put("retryBaseDelayMs", 1000);
    });
    upstream.failFirst(1, 1).script(2, Behaviour.OK, 2500);
    deploySync(vertx, config);
    enqueue(vertx, 1, 1);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> upstream.calls(1) == 1
      && Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id = '1' AND state = 'pending' AND attempts = 1") == 1);
    // Job 1 is due again in 0.5-1 s; job 2, enqueued now, is claimed at once (the wake-up) and takes 2.5 s to fetch,
    // so job 1 falls due while that batch fetches, and no reply counts it once it is due.
    enqueue(vertx, 2, 2);
    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE state = 'done'", 2, 10_000);
    assertEquals(1, Sql.count("SELECT count(*) FROM sync_jobs AS one, sync_jobs AS two WHERE one.user_id = '1' AND two.user_id = '2' "
      + "AND one.updated_at > two.updated_at"), "job 1 ran after job 2's batch, not in it");
    assertEquals(2, upstream.calls(1));
  }

  @Test
  @DisplayName("a job that keeps failing with a 200 ms backoff is retried when due, never more often than every 200 ms: no hot loop")
  void noHotLoop(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> c.getJsonObject("sync").put("intervalMs", 60_000).put("maxAttempts", 1000)
      .put("retryBaseDelayMs", 200).put("retryMaxDelayMs", 200));
    upstream.script(1, Behaviour.FAIL, 0);
    AtomicInteger claims = Bus.countSent(vertx, StoreAddresses.JOBS_CLAIM);
    deploySync(vertx, config);
    enqueue(vertx, 1, 1);
    // From the first retry on (the first attempt, woken by the enqueue, may be slow on a cold JVM).
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> upstream.calls(1) >= 2);
    int claimsBefore = claims.get();
    long windowStart = System.nanoTime();
    // Nine more retries, each when its backoff (100-200 ms) is over and at least 200 ms after the batch before.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> upstream.calls(1) >= 11);
    long windowMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - windowStart);
    int claimed = claims.get() - claimsBefore;
    assertTrue(windowMs >= 9 * 200 - 50, "nine retries at least 200 ms apart took " + windowMs + " ms");
    assertTrue(claimed <= windowMs / 200 + 1, claimed + " claims in " + windowMs + " ms: more than one every 200 ms");
    assertEquals(1, Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id = '1' AND attempts >= 10 AND last_error LIKE 'UPSTREAM_ERROR%'"));
  }

  /**
   * A sync with {@code sync.shutdownGraceMs} {@code graceMs} and 50 jobs in flight (the upstream answers after
   * {@code upstreamDelayMs}), undeployed: stop() returns within the grace and a second; returns the configuration.
   */
  private JsonObject undeployMidBatch(Vertx vertx, long graceMs, long upstreamDelayMs) throws Exception {
    JsonObject config = deploy(vertx, c -> c.getJsonObject("sync").put("shutdownGraceMs", graceMs));
    upstream.defaultDelay(upstreamDelayMs);
    String sync = deploySync(vertx, config);
    enqueue(vertx, 1, 50);
    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE state = 'running'", 50, 5000);
    long start = System.nanoTime();
    vertx.undeploy(sync).await(10, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMs < graceMs + 1000, "stop() within grace + 1 s: " + tookMs + " ms");
    return config;
  }

  @Test
  @DisplayName("undeployed mid-batch within the grace: stop() waits for the batch, which completes; nothing is left running")
  void undeployWaitsForTheBatch(Vertx vertx) throws Exception {
    undeployMidBatch(vertx, 5000, 800);
    assertEquals(50, Sql.count("SELECT count(*) FROM sync_jobs WHERE state = 'done'"), "the batch finished in its grace");
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs WHERE lease_owner IS NOT NULL"));
  }

  @Test
  @DisplayName("a grace too short: stop() hands the unfinished jobs back, pending with attempts unchanged; after a redeploy all end done")
  void undeployHandsBack(Vertx vertx) throws Exception {
    JsonObject config = undeployMidBatch(vertx, 300, 1500);
    assertEquals(50, Sql.count("SELECT count(*) FROM sync_jobs WHERE state = 'pending' AND attempts = 0 AND lease_owner IS NULL"));
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs WHERE state = 'running'"));

    // The abandoned fetches finish: the fetch verticle has all 50 answers and nothing in flight or queued.
    // Their answers, which reach a sync that handed its batch back, must change nothing.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonObject fetch = Bus.call(vertx, FetchAddresses.STATUS, new JsonObject());
      assertEquals(50, upstream.totalCalls(), fetch.encode());
      assertEquals(0, fetch.getInteger("inFlight"), fetch.encode());
      assertEquals(0, fetch.getInteger("queued"), fetch.encode());
    });
    assertEquals(50, Sql.count("SELECT count(*) FROM sync_jobs WHERE state = 'pending'"));
    upstream.defaultDelay(0);
    deploySync(vertx, config);
    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE state = 'done'", 50, 10_000);
    assertEquals(50, Sql.count("SELECT count(*) FROM users"));
  }

  @Test
  @DisplayName("undeployed with two batches in flight, one completing and the next fetching: the fetching one is handed back, "
    + "stop() waits for the completing one's transaction; nothing lost, nothing left running")
  void undeployWithTwoBatchesInFlight(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> c.getJsonObject("sync").put("batchSize", 20).put("shutdownGraceMs", 300));
    for (long id = 21; id <= 40; id++) {
      upstream.script(id, Behaviour.OK, 3000);
    }
    JsonObject pg = TestDatabase.pg();
    try (Connection lock = DriverManager.getConnection(Database.jdbcUrl(pg, "usergate"),
      pg.getString("user"), pg.getString("password"))) {
      // The first batch's completion (one transaction) waits on this lock; the next batch claims and fetches meanwhile.
      lock.setAutoCommit(false);
      lock.createStatement().execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
      String sync = deploySync(vertx, config);
      enqueue(vertx, 1, 20);
      enqueue(vertx, 21, 40);
      await().atMost(Duration.ofSeconds(10)).until(() -> upstream.inFlight() == 20);
      var undeployed = vertx.undeploy(sync);
      await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id::bigint > 20 "
        + "AND state = 'pending' AND attempts = 0 AND lease_owner IS NULL") == 20);
      assertTrue(!undeployed.isComplete(), "stop() waits for the batch whose completion is under way");
      lock.rollback();
      undeployed.await(10, TimeUnit.SECONDS);
    }
    assertEquals(20, Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id::bigint <= 20 AND state = 'done'"));
    assertEquals(20, Sql.count("SELECT count(*) FROM users"));
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs WHERE state = 'running'"));
  }

  @Test
  @DisplayName("a batch slower than the interval: no second one fetches alongside it (the next may only claim and fetch while one completes)")
  void batchesNeverOverlap(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> c.getJsonObject("sync").put("batchSize", 10).put("intervalMs", 20));
    upstream.defaultDelay(300);
    deploySync(vertx, config);
    enqueue(vertx, 1, 40);
    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE state = 'done'", 40, 20_000);
    assertEquals(10, upstream.maxInFlight(), "one batch of 10 at a time, though the fetch allows 64");
  }

  @Test
  @DisplayName("two sync verticles on the same database drain 5,000 jobs: none worked by both, none lost")
  void twoInstances(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> c.getJsonObject("sync").put("batchSize", 200).put("intervalMs", 10));
    Vertx other = Vertx.vertx();
    try {
      DeploymentOptions options = new DeploymentOptions().setConfig(config);
      other.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
      other.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);
      List<JsonObject> progress = new CopyOnWriteArrayList<>();
      vertx.eventBus().<JsonObject>consumer(SyncAddresses.PROGRESS, message -> progress.add(message.body()));
      other.eventBus().<JsonObject>consumer(SyncAddresses.PROGRESS, message -> progress.add(message.body()));
      deploySync(vertx, config);
      other.deployVerticle(new SyncVerticle(), options).await(10, TimeUnit.SECONDS);
      upstream.defaultDelay(2);
      enqueue(vertx, 1, 5000);
      Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE state = 'done'", 5000, 60_000);
      assertEquals(5000, upstream.totalCalls(), "no job fetched twice: never worked by both at once");
      assertEquals(5000, Sql.count("SELECT count(*) FROM users"));
      long owners = progress.stream().map(p -> p.getString("owner")).distinct().count();
      assertEquals(2, owners, "both instances took part");
      assertEquals(5000, progress.stream().mapToLong(p -> p.getLong("claimed")).sum());
    } finally {
      other.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("bad enqueue messages are BAD_REQUEST and enqueue nothing; over 10,000 ids is refused")
  void badEnqueue(Vertx vertx) throws Exception {
    deploySync(vertx, deploy(vertx, c -> { }));
    Bus.failure(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", "x"), "BAD_REQUEST", 400);
    Bus.failure(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray().add(1).add("")), "BAD_REQUEST", 400);
    JsonArray tooMany = new JsonArray();
    for (int i = 1; i <= 10_001; i++) {
      tooMany.add(i);
    }
    Bus.failure(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", tooMany), "BAD_REQUEST", 400);
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs"));
  }

  @Test
  @DisplayName("refresh enqueues the users fetched longer ago than sync.refreshAfterMs")
  void refreshEnqueuesStaleUsers(Vertx vertx) throws Exception {
    JsonObject config = deploy(vertx, c -> c.getJsonObject("sync").put("refreshAfterMs", 60_000).put("intervalMs", 60_000));
    Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", Users.range(1, 3, "old")).put("fetchedAt", "2020-01-01T00:00:00Z"));
    Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", Users.range(4, 5, "new")));
    deploySync(vertx, config);
    assertEquals(3, Bus.call(vertx, SyncAddresses.REFRESH, new JsonObject()).getInteger("enqueued"));
    assertEquals(3, Sql.count("SELECT count(*) FROM sync_jobs WHERE state = 'pending' AND user_id::bigint <= 3"));
  }
}
