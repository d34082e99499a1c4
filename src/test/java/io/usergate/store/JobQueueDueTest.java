package io.usergate.store;

import io.usergate.support.Bus;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code nextDueInMs} in the replies of jobs.claim and jobs.complete: when the sync's next job falls due, by PostgreSQL's clock. */
@ExtendWith(VertxExtension.class)
class JobQueueDueTest {

  private static final String OWNER = "due-test";

  @BeforeEach
  void storeAlone(Vertx vertx) throws Exception {
    // The store alone: no sync claims the jobs this test claims.
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(TestConfig.forTests())).await(30, TimeUnit.SECONDS);
  }

  private static JsonObject claim(Vertx vertx, int limit) throws Exception {
    return Bus.call(vertx, StoreAddresses.JOBS_CLAIM, new JsonObject().put("owner", OWNER).put("limit", limit).put("leaseMs", 60_000));
  }

  private static JsonObject complete(Vertx vertx, JsonArray done, JsonArray failed) throws Exception {
    return Bus.call(vertx, StoreAddresses.JOBS_COMPLETE, new JsonObject().put("owner", OWNER).put("done", done)
      .put("users", new JsonArray()).put("removed", new JsonArray()).put("failed", failed).put("maxAttempts", 5));
  }

  @Test
  @DisplayName("nextDueInMs is null when no pending job falls due later: an empty queue, jobs due now, jobs running or done")
  void nullWhenNothingLater(Vertx vertx) throws Exception {
    JsonObject empty = claim(vertx, 10);
    assertTrue(empty.containsKey("nextDueInMs") && empty.getValue("nextDueInMs") == null, empty.encode());
    Bus.call(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray().add(1).add(2)));
    JsonObject one = claim(vertx, 1);
    assertEquals(1, one.getJsonArray("jobs").size());
    assertNull(one.getValue("nextDueInMs"), "the other job is due now, not later: " + one.encode());
    JsonObject completed = complete(vertx, new JsonArray().add(one.getJsonArray("jobs").getJsonObject(0).getLong("id")), new JsonArray());
    assertEquals(1L, completed.getLong("done"));
    assertTrue(completed.containsKey("nextDueInMs") && completed.getValue("nextDueInMs") == null, completed.encode());
  }

  @Test
  @DisplayName("a failed attempt with a 150 ms backoff: the completion says 150 ms, a claim meanwhile takes nothing and says less, "
    + "and the job is claimed once it is due")
  void aboutTheBackoffWhenOneFailed(Vertx vertx) throws Exception {
    Bus.call(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray().add(7)));
    assertEquals(1, claim(vertx, 10).getJsonArray("jobs").size());
    JsonObject completed = complete(vertx, new JsonArray(),
      new JsonArray().add(new JsonObject().put("id", 7).put("error", "UPSTREAM_ERROR: 500").put("delayMs", 150)));
    long completedAt = System.nanoTime();
    assertEquals(1L, completed.getLong("retried"));
    assertEquals(150L, completed.getLong("nextDueInMs"), "run_after is now() + 150 ms in the completion's own transaction: " + completed.encode());

    JsonObject early = claim(vertx, 10);
    assertEquals(0, early.getJsonArray("jobs").size(), "not due yet: " + early.encode());
    long left = early.getLong("nextDueInMs");
    assertTrue(left >= 1 && left <= 150, "due in (0, 150] ms: " + left);

    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> claim(vertx, 10).getJsonArray("jobs").size() == 1);
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - completedAt) >= 150 - 20,
      "claimed once due (PostgreSQL's clock and this one agree within a few ms on one machine)");
  }

  @Test
  @DisplayName("the earliest later run_after over every priority, pending jobs only: 3 s for a refresh job behind a 10 s explicit one")
  void earliestOverPriorities(Vertx vertx) throws Exception {
    TestDatabase.execute("""
      INSERT INTO sync_jobs (user_id, state, run_after, priority) VALUES
        (1, 'pending', now() + interval '10 seconds', 1),
        (2, 'pending', now() + interval '3 seconds', 0),
        (3, 'pending', now() - interval '1 second', 1),
        (4, 'running', now() + interval '1 second', 0),
        (5, 'failed', now() + interval '1 second', 0),
        (6, 'done', now() + interval '1 second', 1)""");
    JsonObject claimed = claim(vertx, 10);
    assertEquals(new JsonArray().add(new JsonObject().put("id", 3L).put("attempts", 0)), claimed.getJsonArray("jobs"));
    long dueInMs = claimed.getLong("nextDueInMs");
    assertTrue(dueInMs > 2_000 && dueInMs <= 3_000, "job 2, in about 3 s: " + claimed.encode());
  }
}
