package io.usergate.sync;

import io.usergate.MainVerticle;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.RestartablePostgres;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sync queue as an operator sees it: listing, retry, discard, priority, and the wake-up by NOTIFY. */
class QueueOpsTest {

  private static final String TOKEN = "queue-token";

  private Vertx vertx;
  private FakeDirectory upstream;
  private WebClient client;
  private int port;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    vertx = Vertx.vertx();
    upstream = new FakeDirectory().deployOn(vertx);
    port = start(vertx, TestConfig.forTests());
    client = WebClient.create(vertx);
  }

  /** The whole stack against the fake directory, the sync's timer at an hour: only a wake-up runs it soon. */
  private int start(Vertx on, JsonObject config) throws Exception {
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl()).put("retries", 0);
    config.getJsonObject("sync").put("intervalMs", 3_600_000).put("maxAttempts", 1);
    config.getJsonObject("auth").put("token", TOKEN);
    config.getJsonObject("http").put("drainDelayMs", 0);
    return Stack.all(on, config).actualPort();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> get(String uri) throws Exception {
    return client.get(port, "127.0.0.1", uri).send().await(10, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> post(String uri, JsonObject body) throws Exception {
    return client.post(port, "127.0.0.1", uri).bearerTokenAuthentication(TOKEN).sendJsonObject(body).await(10, TimeUnit.SECONDS);
  }

  private static JsonObject ids(long... ids) {
    return new JsonObject().put("ids", new JsonArray(LongStream.of(ids).boxed().toList()));
  }

  private void awaitState(String state, long count) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
      .until(() -> Sql.count("SELECT count(*) FROM sync_jobs WHERE state = '" + state + "'") == count);
  }

  @Test
  @DisplayName("an enqueue wakes the sync through NOTIFY: 10 ids are done long before its hour-long timer")
  void enqueueWakesTheSync() throws Exception {
    assertEquals(202, post("/sync", ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)).statusCode());
    awaitState("done", 10);
    assertEquals(10, Sql.count("SELECT count(*) FROM users"));
  }

  @Test
  @DisplayName("failed jobs are listed with their last error, retried (attempts reset, run at once) or discarded")
  void listRetryDiscard() throws Exception {
    upstream.script(2, Behaviour.FAIL, 0).script(3, Behaviour.FAIL, 0);
    post("/sync", ids(1, 2, 3));
    awaitState("failed", 2);
    JsonObject failed = get("/sync/jobs?state=failed").bodyAsJsonObject();
    assertEquals(2, failed.getJsonArray("jobs").size(), failed.encode());
    JsonObject job = failed.getJsonArray("jobs").getJsonObject(0);
    assertEquals(2L, job.getLong("id"));
    assertEquals(1, job.getInteger("attempts"));
    assertTrue(job.getString("lastError").startsWith("UPSTREAM_ERROR"), job.encode());
    assertEquals(1, job.getInteger("priority"), "an explicit enqueue");
    assertNull(failed.getValue("next"));

    JsonObject page = get("/sync/jobs?limit=2").bodyAsJsonObject();
    assertEquals(2, page.getJsonArray("jobs").size());
    assertEquals(2L, page.getLong("next"));
    assertEquals(1, get("/sync/jobs?after=2&limit=2").bodyAsJsonObject().getJsonArray("jobs").size());

    upstream.clear();
    HttpResponse<Buffer> retried = post("/sync/jobs/retry", new JsonObject().put("state", "failed"));
    assertEquals(202, retried.statusCode(), retried.bodyAsString());
    assertEquals(2, retried.bodyAsJsonObject().getInteger("retried"));
    awaitState("done", 3);
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs WHERE attempts > 0"));

    assertEquals(1, post("/sync/jobs/discard", ids(1, 999)).bodyAsJsonObject().getInteger("discarded"));
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id = '1'"));
    assertEquals(1, Sql.count("SELECT count(*) FROM users WHERE id = '1'"), "the mirror keeps the user");
    assertEquals(0, post("/sync/jobs/retry", ids(12345)).bodyAsJsonObject().getInteger("retried"), "not in the queue: 0");
  }

  @Test
  @DisplayName("bad input is a clear 400: a state that does not exist, running jobs, neither or both selectors, a limit out of range; no token 401")
  void badInput() throws Exception {
    for (JsonObject body : new JsonObject[]{new JsonObject(), new JsonObject().put("state", "failed").put("ids", new JsonArray()),
      new JsonObject().put("state", "exploded"), new JsonObject().put("state", "running"), new JsonObject().put("ids", "1,2"),
      new JsonObject().put("ids", new JsonArray().add("a\u0000"))}) {
      for (String uri : new String[]{"/sync/jobs/retry", "/sync/jobs/discard"}) {
        HttpResponse<Buffer> refused = post(uri, body);
        assertEquals(400, refused.statusCode(), uri + " " + body.encode() + ": " + refused.bodyAsString());
        assertEquals("BAD_REQUEST", refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
      }
    }
    assertTrue(post("/sync/jobs/retry", new JsonObject().put("state", "running")).bodyAsString().contains("leased"));
    for (String uri : new String[]{"/sync/jobs?state=nope", "/sync/jobs?limit=0", "/sync/jobs?limit=1001", "/sync/jobs?after=%00"}) {
      assertEquals(400, get(uri).statusCode(), uri);
    }
    assertEquals(401, client.post(port, "127.0.0.1", "/sync/jobs/retry").sendJsonObject(ids(1)).await(10, TimeUnit.SECONDS).statusCode());
  }

  @Test
  @DisplayName("explicit requests run before refreshes: 3 ids enqueued behind 500 refresh jobs are in the first claim")
  void explicitBeforeRefresh() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    vertx = Vertx.vertx();
    TestDatabase.execute(TestDatabase.pg(), "usergate",
      "INSERT INTO sync_jobs (user_id, state, run_after, priority) SELECT id::text, 'pending', now() - interval '1 hour', 0 FROM generate_series(1000, 1499) id");
    // The store alone: no sync to claim the jobs before this test does.
    Vertx storeOnly = Vertx.vertx();
    JsonArray claimed;
    try {
      Stack.deploy(storeOnly, MainVerticle.STORE, new StoreVerticle(), TestConfig.forTests());
      Bus.call(storeOnly, StoreAddresses.JOBS_ENQUEUE, ids(7, 8, 1200));
      claimed = Bus.call(storeOnly, StoreAddresses.JOBS_CLAIM,
        new JsonObject().put("owner", "test").put("limit", 5).put("leaseMs", 60_000)).getJsonArray("jobs");
    } finally {
      storeOnly.close().await(30, TimeUnit.SECONDS);
    }
    Set<Long> first = new HashSet<>();
    claimed.forEach(job -> first.add(((JsonObject) job).getLong("id")));
    assertTrue(first.containsAll(Set.of(7L, 8L, 1200L)), "first claim " + first + ": a pending refresh job named again is raised too");
  }

  @Test
  @DisplayName("PostgreSQL restarted under the LISTEN: the subscription comes back and an enqueue still wakes the sync at once")
  void listenSurvivesARestart() throws Exception {
    try (RestartablePostgres postgres = new RestartablePostgres("listen")) {
      Vertx other = Vertx.vertx();
      try {
        JsonObject config = TestConfig.forTests().put("pg", postgres.pg().put("connectionTimeoutMs", 1000));
        start(other, config);
        Bus.call(other, StoreAddresses.JOBS_ENQUEUE, ids(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> Bus.call(other, SyncAddresses.STATUS, new JsonObject())
          .getJsonObject("jobs").getLong("done") == 1);
        postgres.stop();
        postgres.start();
        // Once the store answers again, one enqueue: its NOTIFY wakes the sync, or, when the subscriber is
        // not back yet, its re-subscription does. The timer (an hour) does not.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
          Bus.call(other, StoreAddresses.JOBS_ENQUEUE, ids(2));
          return true;
        });
        await().atMost(Duration.ofSeconds(20)).until(() ->
          Bus.call(other, SyncAddresses.STATUS, new JsonObject()).getJsonObject("jobs").getLong("done") == 2);
      } finally {
        other.close().await(30, TimeUnit.SECONDS);
      }
    }
  }
}
