package io.usergate.fetch;

import io.usergate.HeaderNames;
import io.usergate.auth.ApiKeys;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.LogCapture;
import io.usergate.support.ServiceProcess;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fetch verticle against a real HTTP upstream on loopback, writing through to a real store. */
@ExtendWith(VertxExtension.class)
class FetchVerticleTest {

  private final FakeDirectory upstream = new FakeDirectory();

  @BeforeEach
  void cleanTable() {
    TestDatabase.execute("TRUNCATE users");
  }

  /** Deploys the fake upstream, the store and the fetch verticle with the upstream section tweaked. */
  private void deploy(Vertx vertx, Consumer<JsonObject> tweak) throws Exception {
    deploy(vertx, tweak, new JsonObject());
  }

  /** As {@link #deploy(Vertx, Consumer)}, with {@code auth.callers} (each caller's share of the directory). */
  private void deploy(Vertx vertx, Consumer<JsonObject> tweak, JsonObject callers) throws Exception {
    upstream.deployOn(vertx);
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("auth").put("callers", callers);
    JsonObject section = config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl())
      .put("timeoutMs", 500).put("retryBaseDelayMs", 20);
    tweak.accept(section);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);
  }

  private static JsonObject one(long id) {
    return new JsonObject().put("id", id);
  }

  private static JsonObject many(String mode, long... ids) {
    JsonArray array = new JsonArray();
    for (long id : ids) {
      array.add(id);
    }
    return new JsonObject().put("ids", array).put("mode", mode);
  }

  /** Fetches {@code id} {@code times} times, each failing with UPSTREAM_ERROR (502): what the breaker counts. */
  private static void failedFetches(Vertx vertx, long id, int times) throws Exception {
    for (int i = 0; i < times; i++) {
      Bus.failure(vertx, FetchAddresses.ONE, one(id), "UPSTREAM_ERROR", 502);
    }
  }

  /** Fetches {@code id} and waits until its write-through has put it in the mirror. */
  private static void fetchedAndWritten(Vertx vertx, long id) throws Exception {
    Bus.call(vertx, FetchAddresses.ONE, one(id));
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '" + id + "'", 1, 5000);
  }

  /** The upstream section of a breaker that opens at the 3rd failure in a row (no retries), half-opens after {@code resetMs}. */
  private static Consumer<JsonObject> breakerOfThree(long resetMs) {
    return section -> section.put("retries", 0).put("breakerMaxFailures", 3).put("breakerResetMs", resetMs);
  }

  /** A breaker that opens at 3 failures within {@code windowMs}, and 2 of them on {@code id}: one short of opening. */
  private void oneFailureShortOfOpening(Vertx vertx, long id, long windowMs) throws Exception {
    deploy(vertx, breakerOfThree(60_000).andThen(section -> section.put("breakerWindowMs", windowMs)));
    upstream.script(id, Behaviour.FAIL, 0);
    failedFetches(vertx, id, 2);
    assertEquals(2L, status(vertx).getLong("breakerFailures"));
  }

  private static JsonObject status(Vertx vertx) throws Exception {
    return Bus.call(vertx, FetchAddresses.STATUS, new JsonObject());
  }

  /** Permits all back, nobody queued: awaited, since releases follow the replies by a tick. */
  private static void assertPermitsBack(Vertx vertx) {
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonObject status = status(vertx);
      assertEquals(status.getInteger("maxConcurrent"), status.getInteger("available"), status.encode());
      assertEquals(0, status.getInteger("queued"), status.encode());
    });
  }

  /** The write-through's counters: written, failed, skipped, pending. */
  private static JsonObject writeThrough(Vertx vertx) throws Exception {
    return status(vertx).getJsonObject("writeThrough");
  }

  private static JsonObject stored(Vertx vertx, long id) throws Exception {
    Future<Message<JsonObject>> get = vertx.eventBus().request(StoreAddresses.GET, one(id));
    return get.map(Message::body).otherwiseEmpty().await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("one: a valid user is answered and written through to the store")
  void oneOk(Vertx vertx) throws Exception {
    deploy(vertx, section -> { });
    assertEquals(FakeDirectory.user(3), Bus.call(vertx, FetchAddresses.ONE, one(3)));
    JsonObject stored = await().atMost(Duration.ofSeconds(5)).until(() -> stored(vertx, 3), Objects::nonNull);
    assertEquals(FakeDirectory.user(3), stored, "written through");
  }

  @Test
  @DisplayName("one: 404 is NOT_FOUND naming the id; invalid JSON, a wrong id or no name is UPSTREAM_ERROR naming the id")
  void oneErrors(Vertx vertx) throws Exception {
    deploy(vertx, section -> { });
    upstream.script(4, Behaviour.NOT_FOUND, 0).script(5, Behaviour.INVALID_JSON, 0)
      .script(6, Behaviour.WRONG_ID, 0).script(8, Behaviour.NO_NAME, 0);
    assertEquals(4L, Bus.failure(vertx, FetchAddresses.ONE, one(4), "NOT_FOUND", 404).getLong("id"));
    JsonObject invalid = Bus.failure(vertx, FetchAddresses.ONE, one(5), "UPSTREAM_ERROR", 502);
    assertEquals(5L, invalid.getLong("id"));
    assertTrue(invalid.getString("message").contains("invalid JSON"), invalid.encode());
    JsonObject wrongId = Bus.failure(vertx, FetchAddresses.ONE, one(6), "UPSTREAM_ERROR", 502);
    assertTrue(wrongId.getString("message").contains("has id 7"), wrongId.encode());
    Bus.failure(vertx, FetchAddresses.ONE, one(8), "UPSTREAM_ERROR", 502);
    assertEquals(1, upstream.calls(5), "an invalid answer is not retried");
  }

  @Test
  @DisplayName("one: a 500 is retried, then the user is answered")
  void retriesServerErrors(Vertx vertx) throws Exception {
    deploy(vertx, section -> section.put("retries", 2));
    upstream.failFirst(9, 2);
    assertEquals(FakeDirectory.user(9), Bus.call(vertx, FetchAddresses.ONE, one(9)));
    assertEquals(3, upstream.calls(9));
    upstream.script(10, Behaviour.FAIL, 0);
    JsonObject error = Bus.failure(vertx, FetchAddresses.ONE, one(10), "UPSTREAM_ERROR", 502);
    assertTrue(error.getString("message").contains("after 3 attempts"), error.encode());
  }

  @Test
  @DisplayName("one: a 10 MB user, with a Content-Length or chunked, is UPSTREAM_ERROR naming upstream.maxBodyBytes, "
    + "not retried, not stored, and its transfer is cut off early")
  void oversizedAnswerIsRefused(Vertx vertx) throws Exception {
    // A deadline long enough for the upstream's pause and 10 MB on a busy machine: without the limit, the
    // user would arrive whole.
    deploy(vertx, section -> section.put("maxBodyBytes", 1_048_576).put("timeoutMs", 10_000).put("retries", 2));
    upstream.script(101, Behaviour.HUGE, 0).script(102, Behaviour.HUGE_CHUNKED, 0);
    for (long id : new long[] {101, 102}) {
      JsonObject error = Bus.failure(vertx, FetchAddresses.ONE, one(id), "UPSTREAM_ERROR", 502);
      assertEquals(id, error.getLong("id"));
      assertTrue(error.getString("message").startsWith(
        "upstream answered more than 1048576 bytes (upstream.maxBodyBytes) for GET /users/" + id), error.encode());
      assertEquals(1, upstream.calls(id), "the same answer would come again: not retried");
    }
    // The upstream pauses after its first 2 MB: a connection closed by then was cut off after at most that.
    await("both connections closed by usergate before the answer was complete").atMost(Duration.ofSeconds(5))
      .until(upstream::abandoned, n -> n == 2);
    assertTrue(upstream.hugeBytesQueued() <= 2L * FakeDirectory.HUGE_FIRST_PART,
      "the rest of each body was never sent: " + upstream.hugeBytesQueued() + " bytes handed over in all");
    JsonObject writeThrough = status(vertx).getJsonObject("writeThrough");
    assertEquals(0, writeThrough.getInteger("pending"), writeThrough.encode());
    assertEquals(0L, writeThrough.getLong("written"), writeThrough.encode());
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id IN ('101', '102')"), "nothing stored");
    assertPermitsBack(vertx);
  }

  @Test
  @DisplayName("one: an upstream that never answers is UPSTREAM_TIMEOUT once the timeout is up, not before, and the request is cancelled")
  void hangIsATimeout(Vertx vertx) throws Exception {
    deploy(vertx, section -> section.put("timeoutMs", 500));
    upstream.script(11, Behaviour.HANG, 0);
    long start = System.nanoTime();
    JsonObject error = Bus.failure(vertx, FetchAddresses.ONE, one(11), "UPSTREAM_TIMEOUT", 504);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // The deadline is a real Vert.x timer, which never fires early: a lower bound. That it fired at all (and
    // not the bus's own 70 s) is the code and the message below; how late it may fire is the machine's load.
    assertTrue(tookMs >= 500, "answered in " + tookMs + " ms, before the timeout");
    assertEquals(11L, error.getLong("id"));
    assertTrue(error.getString("message").contains("within 500 ms"), error.encode());
    await().atMost(Duration.ofSeconds(5)).until(upstream::abandoned, abandoned -> abandoned > 0);
    assertEquals(1, upstream.abandoned(), "the request was reset, not left running");
    assertPermitsBack(vertx);
  }

  @Test
  @DisplayName("one: connection refused is UPSTREAM_UNAVAILABLE")
  void connectionRefused(Vertx vertx) throws Exception {
    int closedPort = ServiceProcess.freePort();
    deploy(vertx, section -> section.put("baseUrl", "http://127.0.0.1:" + closedPort).put("retries", 1));
    JsonObject error = Bus.failure(vertx, FetchAddresses.ONE, one(12), "UPSTREAM_UNAVAILABLE", 503);
    assertEquals(12L, error.getLong("id"));
    assertPermitsBack(vertx);
  }

  @Test
  @DisplayName("all: one failing id among slow ones is answered at once, the slow siblings are cancelled, permits come back")
  void allFailsFast(Vertx vertx) throws Exception {
    // The slow ones never answer, and their deadline (60 s) is beyond the bus's wait: an answer at all is
    // an answer that did not wait for them.
    // No rate-limit headers to learn (DirectoryBudget would hold the others until the first, hanging, call answers).
    deploy(vertx, section -> section.put("timeoutMs", 60_000).put("maxConcurrent", 4).put("rateLimitHeaders", false));
    long[] ids = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
    for (long id : ids) {
      upstream.script(id, Behaviour.HANG, 0);
    }
    upstream.script(22, Behaviour.NOT_FOUND, 100);
    JsonObject error = Bus.failure(vertx, FetchAddresses.MANY, many("all", ids), "NOT_FOUND", 404);
    assertEquals(22L, error.getLong("id"), "answered with the failing call, not after the slow ones");
    await().atMost(Duration.ofSeconds(5)).until(upstream::abandoned, abandoned -> abandoned >= 3);
    // Nothing in flight and nothing queued any more: none of the six queued ones can still start.
    assertPermitsBack(vertx);
    assertEquals(3, upstream.abandoned(), "the three slow siblings in flight were reset");
    assertEquals(4, upstream.totalCalls(), "the six still queued never started");
  }

  @Test
  @DisplayName("settled: ok, 404, 500 and a hang mixed are all answered in order, once the hang's timeout is up")
  void settledMixed(Vertx vertx) throws Exception {
    deploy(vertx, section -> section.put("timeoutMs", 800).put("retries", 1));
    upstream.script(32, Behaviour.NOT_FOUND, 0).script(33, Behaviour.FAIL, 0).script(34, Behaviour.HANG, 0);
    long start = System.nanoTime();
    JsonObject reply = Bus.call(vertx, FetchAddresses.MANY, many("settled", 31, 32, 33, 34, 35, 31));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // A lower bound only (the deadline is a real timer, never early): settled waits for every id, the hang's
    // UPSTREAM_TIMEOUT below included. That the deadline bounds the wait is that result's being there.
    assertTrue(tookMs >= 800, "answered in " + tookMs + " ms, before the hang's timeout");
    JsonArray results = reply.getJsonArray("results");
    assertEquals(6, results.size());
    assertEquals(List.of(31L, 32L, 33L, 34L, 35L, 31L),
      results.stream().map(r -> ((JsonObject) r).getLong("id")).toList());
    assertEquals(FakeDirectory.user(31), results.getJsonObject(0).getJsonObject("user"));
    assertEquals("NOT_FOUND", results.getJsonObject(1).getJsonObject("error").getString("code"));
    assertEquals("UPSTREAM_ERROR", results.getJsonObject(2).getJsonObject("error").getString("code"));
    assertEquals("UPSTREAM_TIMEOUT", results.getJsonObject(3).getJsonObject("error").getString("code"));
    assertEquals(FakeDirectory.user(35), results.getJsonObject(4).getJsonObject("user"));
    assertEquals(FakeDirectory.user(31), results.getJsonObject(5).getJsonObject("user"), "a repeated id in each place");
    assertEquals(3, reply.getInteger("succeeded"));
    assertEquals(3, reply.getInteger("failed"));
    assertEquals(1, upstream.calls(31), "a repeated id is fetched once");
    assertPermitsBack(vertx);
  }

  @Test
  @DisplayName("with maxConcurrent = 8, 10,000 requests never put more than 8 in flight upstream, and do reach 8")
  void boundedConcurrency(Vertx vertx) throws Exception {
    // A deadline far above the 1 ms answers: on a loaded machine a 500 ms attempt can time out, and this
    // test is about the bound on calls in flight, not about deadlines.
    deploy(vertx, section -> section.put("maxConcurrent", 8).put("maxQueued", 20_000).put("timeoutMs", 10_000));
    upstream.defaultDelay(1);
    List<Future<Message<Object>>> replies = new ArrayList<>();
    for (long id = 1; id <= 10_000; id++) {
      replies.add(vertx.eventBus().request(FetchAddresses.ONE, one(id), new DeliveryOptions().setSendTimeout(120_000)));
    }
    Future.all(replies).await(120, TimeUnit.SECONDS);
    assertEquals(10_000, upstream.totalCalls());
    assertEquals(8, upstream.maxInFlight(), "the limit holds and is really used");
    assertPermitsBack(vertx);
  }

  @Test
  @DisplayName("a full queue is OVERLOADED at once; 100 concurrent requests for one id make one upstream call")
  void overloadAndCoalescing(Vertx vertx) throws Exception {
    deploy(vertx, section -> section.put("maxConcurrent", 1).put("maxQueued", 2));
    upstream.defaultDelay(300);
    List<Future<Message<Object>>> replies = new ArrayList<>();
    for (long id = 41; id <= 45; id++) {
      replies.add(vertx.eventBus().request(FetchAddresses.ONE, one(id)));
    }
    Future.join(replies).transform(done -> Future.succeededFuture()).await(10, TimeUnit.SECONDS);
    assertEquals(3, replies.stream().filter(Future::succeeded).count());
    assertEquals(2, replies.stream().filter(Future::failed)
      .filter(f -> f.cause().getMessage().contains("OVERLOADED")).count());
    assertPermitsBack(vertx);

    List<Future<Message<Object>>> same = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      same.add(vertx.eventBus().request(FetchAddresses.ONE, one(7)));
    }
    Future.all(same).await(10, TimeUnit.SECONDS);
    assertEquals(1, upstream.calls(7));
  }

  @Test
  @DisplayName("a named caller whose queue is full is refused 429 TOO_MANY_REQUESTS at once; another caller's miss goes before its queue")
  void fairSharePerCaller(Vertx vertx) throws Exception {
    // Only configured callers have a queue of their own; a name nobody configured waits in the anonymous one.
    JsonObject callers = new JsonObject();
    for (String name : List.of("noisy", "quiet")) {
      callers.put(name, new JsonObject().put("keySha256", HexFormat.of().formatHex(ApiKeys.sha256(name + "-key")))
        .put("scopes", "users:read"));
    }
    deploy(vertx, section -> section.put("maxConcurrent", 1).put("maxQueued", 2), callers);
    Promise<Void> release = Promise.promise();
    upstream.holdUntil(61, release.future());
    List<Future<Message<Object>>> noisy = new ArrayList<>();
    for (long id = 61; id <= 63; id++) {
      noisy.add(vertx.eventBus().request(FetchAddresses.ONE, one(id).put(FetchAddresses.CALLER, "noisy")));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> status(vertx).getInteger("queued") == 2);
    JsonObject refused = Bus.failure(vertx, FetchAddresses.ONE, one(64).put(FetchAddresses.CALLER, "noisy"),
      "TOO_MANY_REQUESTS", 429);
    assertTrue(refused.getString("message").contains("caller noisy"), refused.encode());
    Future<Message<Object>> quiet = vertx.eventBus().request(FetchAddresses.ONE, one(65).put(FetchAddresses.CALLER, "quiet"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(vertx).getInteger("waitingCallers") == 2);
    release.complete();
    Future.all(noisy).await(10, TimeUnit.SECONDS);
    quiet.await(10, TimeUnit.SECONDS);
    List<Long> order = upstream.callOrder();
    assertEquals(List.of(61L, 62L, 65L, 63L), order, "noisy's turn, then quiet's, then noisy's again");
    assertPermitsBack(vertx);
  }

  @Test
  @DisplayName("the breaker opens after N failures, fails fast, half-opens after the reset time and closes on a success")
  void circuitBreaker(Vertx vertx) throws Exception {
    deploy(vertx, breakerOfThree(500));
    upstream.script(51, Behaviour.FAIL, 0);
    failedFetches(vertx, 51, 3);
    assertEquals("OPEN", status(vertx).getString("breaker"));
    JsonObject fast = Bus.failure(vertx, FetchAddresses.ONE, one(52), "UPSTREAM_UNAVAILABLE", 503);
    assertTrue(fast.getString("message").contains("circuit breaker open"), fast.encode());
    assertEquals(0, upstream.calls(52), "not attempted while open");

    // The reset time passing shows as the breaker half-opening; until then it stays open.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals("HALF_OPEN", status(vertx).getString("breaker")));
    assertEquals(FakeDirectory.user(52), Bus.call(vertx, FetchAddresses.ONE, one(52)));
    assertEquals("CLOSED", status(vertx).getString("breaker"));
  }

  @Test
  @DisplayName("the breaker counts failures since the last success: N-1 failures, a success, then one failure leave it closed; "
    + "N in a row open it, with breakerSince the instant it opened")
  void aSuccessClearsTheBreakerCount(Vertx vertx) throws Exception {
    oneFailureShortOfOpening(vertx, 53, 60_000);
    assertEquals(FakeDirectory.user(54), Bus.call(vertx, FetchAddresses.ONE, one(54)));
    assertEquals(0L, status(vertx).getLong("breakerFailures"), "the success cleared the count");
    failedFetches(vertx, 53, 1);
    JsonObject status = status(vertx);
    assertEquals("CLOSED", status.getString("breaker"), "3 failures in the window, but not in a row: " + status.encode());
    assertEquals(1L, status.getLong("breakerFailures"));

    Instant beforeOpening = Instant.now();
    failedFetches(vertx, 53, 2);
    status = status(vertx);
    assertEquals("OPEN", status.getString("breaker"), status.encode());
    Instant since = Instant.parse(status.getString("breakerSince"));
    assertTrue(!since.isBefore(beforeOpening.minusMillis(1)) && !since.isAfter(Instant.now()), status.encode());
  }

  @Test
  @DisplayName("failures older than upstream.breakerWindowMs no longer count: N-1 failures, the window passes, "
    + "one more leaves it closed; N within the window open it")
  void failuresAgeOutOfTheBreakerWindow(Vertx vertx) throws Exception {
    oneFailureShortOfOpening(vertx, 55, 2000);
    // The library counts in whole-second slots on its own clock: a failure leaves a 2 s window within 3 s. The
    // wait's bound is only there to end the test if they never age out; a loaded machine may take longer.
    await("the two failures aged out of the 2 s window").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
      .until(() -> status(vertx).getLong("breakerFailures"), n -> n == 0);
    failedFetches(vertx, 55, 1);
    JsonObject status = status(vertx);
    assertEquals("CLOSED", status.getString("breaker"), status.encode());
    assertEquals(1L, status.getLong("breakerFailures"), status.encode());
    failedFetches(vertx, 55, 2);
    assertEquals("OPEN", status(vertx).getString("breaker"), "3 failures in a row within the window");
  }

  @Test
  @DisplayName("a half-open trial that is cancelled does not hold the breaker half-open for good")
  void cancelledTrialDoesNotStick(Vertx vertx) throws Exception {
    deploy(vertx, breakerOfThree(300).andThen(section -> section.put("timeoutMs", 3000)));
    upstream.script(63, Behaviour.FAIL, 0).script(64, Behaviour.OK, 1000);
    failedFetches(vertx, 63, 3);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals("HALF_OPEN", status(vertx).getString("breaker")));
    try (LogCapture log = new LogCapture()) {
      // 64 is the trial; 65 is refused while it runs, which fails the "all" request and cancels the trial.
      Bus.failure(vertx, FetchAddresses.MANY, many("all", 64, 65), "UPSTREAM_UNAVAILABLE", 503);
      // The cancelled trial counts as failed: the breaker opens again (logged), then half-opens after
      // the reset time. Waiting for HALF_OPEN alone could see the state from before the trial was counted.
      await().atMost(Duration.ofSeconds(5)).until(() -> log.warnings("circuit breaker open after"), opened -> opened >= 1);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals("HALF_OPEN", status(vertx).getString("breaker")));
    }
    assertEquals(FakeDirectory.user(66), Bus.call(vertx, FetchAddresses.ONE, one(66)), "a new trial went through");
    assertEquals("CLOSED", status(vertx).getString("breaker"));
  }

  @Test
  @DisplayName("a call started before the breaker opened does not close it by succeeding late")
  void lateSuccessDoesNotClose(Vertx vertx) throws Exception {
    // No rate-limit headers to learn: the slow first call must not hold the failing ones until it answers.
    deploy(vertx, breakerOfThree(300).andThen(section -> section.put("timeoutMs", 3000).put("rateLimitHeaders", false)));
    upstream.script(61, Behaviour.OK, 1000).script(62, Behaviour.FAIL, 0);
    Future<Message<JsonObject>> slow = vertx.eventBus().request(FetchAddresses.ONE, one(61));
    failedFetches(vertx, 62, 3);
    assertEquals("OPEN", status(vertx).getString("breaker"));
    assertEquals(FakeDirectory.user(61), slow.await(5, TimeUnit.SECONDS).body(), "the caller still gets its user");
    assertEquals("HALF_OPEN", status(vertx).getString("breaker"), "the late success did not close the breaker");
  }

  @Test
  @DisplayName("fetch.many writes the users through in one batch, unless writeThrough is false")
  void writeThroughFlag(Vertx vertx) throws Exception {
    deploy(vertx, section -> { });
    Bus.call(vertx, FetchAddresses.MANY, many("settled", 71, 72, 73).put(FetchAddresses.WRITE_THROUGH, false));
    Bus.call(vertx, FetchAddresses.MANY, many("all", 74, 75, 76));
    Sql.awaitCount("SELECT count(*) FROM users WHERE id::bigint BETWEEN 74 AND 76", 3, 5000);
    // The later request's users have landed: those of the first, had they been queued, would have gone out no later.
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id::bigint BETWEEN 71 AND 73"), "not written");
    assertEquals(1, Sql.count("SELECT count(DISTINCT fetched_at) FROM users"), "one upsert for the request");
    Bus.failure(vertx, FetchAddresses.MANY, many("all", 1).put(FetchAddresses.WRITE_THROUGH, "no"), "BAD_REQUEST", 400);
  }

  @Test
  @DisplayName("a user fetched again with the same content within writeThroughMinIntervalMs is not written again")
  void identicalRewriteSkipped(Vertx vertx) throws Exception {
    deploy(vertx, section -> section.put("writeThroughMinIntervalMs", 60_000));
    fetchedAndWritten(vertx, 81);
    String first = Sql.text("SELECT fetched_at::text FROM users WHERE id = '81'");
    Bus.call(vertx, FetchAddresses.ONE, one(81));
    // Both fetches accounted for (written, or skipped as a rewrite) and nothing pending: no write is still to come.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonObject writes = writeThrough(vertx);
      assertEquals(2, writes.getLong("written") + writes.getLong("skipped"), writes.encode());
      assertEquals(0, writes.getInteger("pending"), writes.encode());
    });
    assertEquals(first, Sql.text("SELECT fetched_at::text FROM users WHERE id = '81'"));
    assertEquals(1L, status(vertx).getJsonObject("writeThrough").getLong("skipped"));
    assertEquals(2, upstream.calls(81), "both were fetched live");
  }

  @Test
  @DisplayName("a user the upstream said 404 for is written again when it comes back, even with the same content")
  void comebackAfterNotFoundIsWritten(Vertx vertx) throws Exception {
    deploy(vertx, section -> section.put("writeThroughMinIntervalMs", 60_000));
    fetchedAndWritten(vertx, 85);
    upstream.script(85, Behaviour.NOT_FOUND, 0);
    Bus.failure(vertx, FetchAddresses.ONE, one(85), "NOT_FOUND", 404);
    // What the sync does after a 404: the user leaves the mirror.
    Bus.call(vertx, StoreAddresses.DELETE, new JsonObject().put("id", 85));
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '85'"));
    upstream.script(85, Behaviour.OK, 0);
    fetchedAndWritten(vertx, 85);
    assertEquals(0L, status(vertx).getJsonObject("writeThrough").getLong("skipped"), "not taken for a rewrite");
  }

  @Test
  @DisplayName("one with staleFallback: the upstream fails and the store has the user → the stored copy, header source=store")
  void staleFallbackOnTheBus(Vertx vertx) throws Exception {
    deploy(vertx, section -> section.put("retries", 0));
    Message<JsonObject> live = vertx.eventBus().<JsonObject>request(FetchAddresses.ONE, one(91).put(FetchAddresses.STALE_FALLBACK, true))
      .await(10, TimeUnit.SECONDS);
    assertEquals("upstream", live.headers().get(HeaderNames.BUS_SOURCE));
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '91'", 1, 5000);
    upstream.script(91, Behaviour.FAIL, 0).script(92, Behaviour.FAIL, 0);
    Message<JsonObject> stale = vertx.eventBus().<JsonObject>request(FetchAddresses.ONE, one(91).put(FetchAddresses.STALE_FALLBACK, true))
      .await(10, TimeUnit.SECONDS);
    assertEquals("store", stale.headers().get(HeaderNames.BUS_SOURCE));
    assertEquals(FakeDirectory.user(91), stale.body());
    Bus.failure(vertx, FetchAddresses.ONE, one(91), "UPSTREAM_ERROR", 502);
    Bus.failure(vertx, FetchAddresses.ONE, one(92).put(FetchAddresses.STALE_FALLBACK, true), "UPSTREAM_ERROR", 502);
    Bus.failure(vertx, FetchAddresses.ONE, one(93).put(FetchAddresses.STALE_FALLBACK, "yes"), "BAD_REQUEST", 400);
  }

  @Test
  @DisplayName("bad messages are BAD_REQUEST naming the field")
  void badMessages(Vertx vertx) throws Exception {
    deploy(vertx, section -> section.put("maxIdsPerRequest", 5));
    assertTrue(Bus.failure(vertx, FetchAddresses.ONE, new JsonObject(), "BAD_REQUEST", 400).getString("message").startsWith("id"));
    Bus.failure(vertx, FetchAddresses.ONE, new JsonObject().put("id", 0.5), "BAD_REQUEST", 400);
    Bus.failure(vertx, FetchAddresses.ONE, new JsonObject().put("id", "x\ty"), "BAD_REQUEST", 400);
    assertTrue(Bus.failure(vertx, FetchAddresses.MANY, new JsonObject().put("ids", "1,2"), "BAD_REQUEST", 400).getString("message").startsWith("ids"));
    assertTrue(Bus.failure(vertx, FetchAddresses.MANY, new JsonObject().put("ids", new JsonArray().add(1).add("x\u0000")), "BAD_REQUEST", 400).getString("message").startsWith("ids[1]"));
    assertTrue(Bus.failure(vertx, FetchAddresses.MANY, many("race", 1), "BAD_REQUEST", 400).getString("message").startsWith("mode"));
    assertTrue(Bus.failure(vertx, FetchAddresses.MANY, many("all", 1, 2, 3, 4, 5, 6), "BAD_REQUEST", 400).getString("message").contains("at most 5"));
    assertEquals(0, upstream.totalCalls());
  }
}
