package io.usergate.web;

import io.usergate.HeaderNames;
import io.usergate.fetch.FetchAddresses;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.usergate.support.ErrorJson.assertError;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every route over a real server on a free port, with a real WebClient, PostgreSQL and upstream. */
@ExtendWith(VertxExtension.class)
class HttpVerticleTest {

  static final String TOKEN = "test-token";

  private final FakeDirectory upstream = new FakeDirectory();
  private WebClient client;
  private int port;

  @BeforeEach
  void cleanTables() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
  }

  /** Upstream, store, fetch, sync and web, as main deploys them. */
  private HttpVerticle deploy(Vertx vertx, Consumer<JsonObject> tweak) throws Exception {
    upstream.deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    config.getJsonObject("upstream").put("timeoutMs", 500)
      .put("breakerEnabled", false).put("maxIdsPerRequest", 1000);
    config.getJsonObject("auth").put("token", TOKEN);
    config.getJsonObject("sync").put("intervalMs", 60_000);
    config.getJsonObject("http").put("drainDelayMs", 0);
    tweak.accept(config);
    HttpVerticle web = Stack.all(vertx, config);
    client = WebClient.create(vertx);
    port = web.actualPort();
    return web;
  }

  private HttpResponse<Buffer> get(String uri) throws Exception {
    return send(client.get(port, "127.0.0.1", uri));
  }

  private HttpResponse<Buffer> post(String uri, String token, String contentType, Buffer body) throws Exception {
    HttpRequest<Buffer> request = client.post(port, "127.0.0.1", uri);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return request.sendBuffer(body == null ? Buffer.buffer() : body).await(30, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request) throws Exception {
    return request.send().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("GET /users/{id}: the live user from the upstream; 404, 400 and upstream errors as error JSON")
  void fetchOne(Vertx vertx) throws Exception {
    deploy(vertx, c -> { });
    upstream.script(4, Behaviour.NOT_FOUND, 0).script(5, Behaviour.FAIL, 0).script(6, Behaviour.HANG, 0);
    HttpResponse<Buffer> ok = get("/users/7");
    assertEquals(200, ok.statusCode());
    assertEquals("upstream", ok.getHeader(HeaderNames.HTTP_SOURCE));
    assertEquals(FakeDirectory.user(7), ok.bodyAsJsonObject());
    assertEquals(4L, assertError(get("/users/4"), 404, "NOT_FOUND").getLong("id"));
    assertError(get("/users/5"), 502, "UPSTREAM_ERROR");
    assertError(get("/users/6"), 504, "UPSTREAM_TIMEOUT");
    assertError(get("/users/a%01bc"), 400, "BAD_REQUEST");
    assertError(get("/users/" + "z".repeat(257)), 400, "BAD_REQUEST");
  }

  @Test
  @DisplayName("stale fallback: when the upstream fails and the mirror has the user, the stored copy with X-Usergate-Source: store")
  void staleFallback(Vertx vertx) throws Exception {
    deploy(vertx, c -> { });
    assertEquals(200, get("/users/8").statusCode());
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '8'", 1, 5000);
    upstream.script(8, Behaviour.FAIL, 0);
    HttpResponse<Buffer> stale = get("/users/8");
    assertEquals(200, stale.statusCode(), stale.bodyAsString());
    assertEquals("store", stale.getHeader(HeaderNames.HTTP_SOURCE));
    assertNotNull(stale.getHeader(HeaderNames.HTTP_FETCHED_AT));
    assertEquals(FakeDirectory.user(8), stale.bodyAsJsonObject());
    upstream.script(8, Behaviour.NOT_FOUND, 0);
    assertError(get("/users/8"), 404, "NOT_FOUND");
  }

  @Test
  @DisplayName("GET /users?ids=…&mode=…: all and settled shapes, a repeated id answered in each place")
  void fetchMany(Vertx vertx) throws Exception {
    deploy(vertx, c -> { });
    upstream.script(2, Behaviour.NOT_FOUND, 0);
    JsonArray users = get("/users?ids=1,3,1").bodyAsJsonObject().getJsonArray("users");
    assertEquals(new JsonArray().add(FakeDirectory.user(1)).add(FakeDirectory.user(3)).add(FakeDirectory.user(1)), users);
    assertEquals(2L, assertError(get("/users?ids=1,2,3"), 404, "NOT_FOUND").getLong("id"));
    JsonObject settled = get("/users?ids=1,2,3&mode=settled").bodyAsJsonObject();
    assertEquals(2, settled.getInteger("succeeded"));
    assertEquals(1, settled.getInteger("failed"));
    assertEquals("NOT_FOUND", settled.getJsonArray("results").getJsonObject(1).getJsonObject("error").getString("code"));
  }

  @Test
  @DisplayName("GET /store/users/{id} and GET /store/users?after=&limit=: the mirror, keyset pages")
  void store(Vertx vertx) throws Exception {
    deploy(vertx, c -> { });
    get("/users?ids=1,2,3,4,5");
    Sql.awaitCount("SELECT count(*) FROM users", 5, 5000);
    HttpResponse<Buffer> one = get("/store/users/3");
    assertEquals(200, one.statusCode());
    assertEquals("store", one.getHeader(HeaderNames.HTTP_SOURCE), "read from the store the first time");
    assertEquals(FakeDirectory.user(3), one.bodyAsJsonObject());
    assertError(get("/store/users/99"), 404, "NOT_FOUND");
    JsonObject page = get("/store/users?after=1&limit=2").bodyAsJsonObject();
    assertEquals(2, page.getJsonArray("users").size());
    assertEquals(3L, page.getLong("next"));
    assertNull(get("/store/users?after=3&limit=10").bodyAsJsonObject().getLong("next"));
    assertError(get("/store/users?limit=0"), 400, "BAD_REQUEST");
    assertError(get("/store/users?limit=1001"), 400, "BAD_REQUEST");
    assertError(get("/store/users?after=%7F"), 400, "BAD_REQUEST");
  }

  @Test
  @DisplayName("POST /sync and /sync/refresh need the token (401 otherwise), answer 202; GET /sync shows the queue")
  void sync(Vertx vertx) throws Exception {
    deploy(vertx, c -> { });
    Buffer body = new JsonObject().put("ids", new JsonArray().add(1).add(2)).toBuffer();
    assertError(post("/sync", null, "application/json", body), 401, "UNAUTHORIZED");
    HttpResponse<Buffer> wrong = post("/sync", "not-the-token", "application/json", body);
    assertError(wrong, 401, "UNAUTHORIZED");
    assertEquals("Bearer", wrong.getHeader("WWW-Authenticate"));
    assertError(post("/sync/refresh", null, null, null), 401, "UNAUTHORIZED");
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs"), "nothing enqueued without the token");

    HttpResponse<Buffer> accepted = post("/sync", TOKEN, "application/json", body);
    assertEquals(202, accepted.statusCode(), accepted.bodyAsString());
    assertEquals(2, accepted.bodyAsJsonObject().getInteger("enqueued"));
    HttpResponse<Buffer> refresh = post("/sync/refresh", TOKEN, null, null);
    assertEquals(202, refresh.statusCode());
    assertEquals(0, refresh.bodyAsJsonObject().getInteger("enqueued"));
    // The enqueue woke the sync (NOTIFY): the two jobs are somewhere between pending and done.
    JsonObject jobs = get("/sync").bodyAsJsonObject().getJsonObject("jobs");
    assertEquals(2L, jobs.getLong("pending") + jobs.getLong("running") + jobs.getLong("done") + jobs.getLong("failed"), jobs.encode());
  }

  @Test
  @DisplayName("bad input: each gives its documented error, and nothing is written")
  void badInput(Vertx vertx) throws Exception {
    deploy(vertx, c -> { });
    StringJoiner tooMany = new StringJoiner(",");
    for (int i = 1; i <= 1001; i++) {
      tooMany.add(String.valueOf(i));
    }
    for (String uri : new String[] {"/users?ids=a%00bc", "/users?ids=%1F", "/users?ids=" + "q".repeat(257), "/users?ids=1,,2",
      "/users?ids=" + tooMany, "/users?ids=1&mode=foo", "/users",
      "/users?ids=", "/users/%0D%0A", "/..%2F..%2Fetc/passwd", "/%2e%2e/", "/users/%2e%2e"}) {
      assertError(get(uri), 400, "BAD_REQUEST");
    }
    assertError(post("/sync", TOKEN, "application/json", Buffer.buffer("{\"ids\":\"x\"}")), 400, "BAD_REQUEST");
    assertError(post("/sync", TOKEN, "application/json", Buffer.buffer("{\"ids\": [1, 2")), 400, "BAD_REQUEST");
    assertError(post("/sync", TOKEN, "application/json", Buffer.buffer("[1,2]")), 400, "BAD_REQUEST");
    assertError(post("/sync", TOKEN, "text/plain", Buffer.buffer("{\"ids\":[1]}")), 400, "BAD_REQUEST");
    assertError(post("/sync", TOKEN, "application/json", Buffer.buffer("{\"ids\":[1,\"\"]}")), 400, "BAD_REQUEST");
    Buffer big = Buffer.buffer("{\"ids\":[" + "1,".repeat(1024 * 1024) + "1]}");
    assertError(post("/sync", TOKEN, "application/json", big), 413, "PAYLOAD_TOO_LARGE");
    assertEquals(0, upstream.totalCalls(), "nothing fetched");
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs"), "nothing enqueued");
    assertEquals(0, Sql.count("SELECT count(*) FROM users"), "nothing stored");
  }

  @Test
  @DisplayName("a client that goes away cancels its fan-out: upstream calls in flight are reset, queued ones never start, permits come back")
  void clientLeavingCancels(Vertx vertx) throws Exception {
    // No rate-limit headers to learn: both permits' calls leave at once, not the first alone until it answers.
    deploy(vertx, c -> c.getJsonObject("upstream").put("maxConcurrent", 2).put("timeoutMs", 5000).put("rateLimitHeaders", false));
    for (long id = 1; id <= 6; id++) {
      upstream.script(id, Behaviour.OK, 2000);
    }
    Throwable gone = client.get(port, "127.0.0.1", "/users?ids=1,2,3,4,5,6").timeout(300).send()
      .transform(done -> Future.succeededFuture(done.cause())).await(10, TimeUnit.SECONDS);
    assertNotNull(gone, "the client gave up");
    await().atMost(Duration.ofSeconds(5)).until(upstream::abandoned, abandoned -> abandoned >= 2);
    assertEquals(2, upstream.abandoned(), "the two calls in flight were reset");
    // Permits back and nothing queued: none of the four queued calls can still start.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonObject status = Bus.call(vertx, FetchAddresses.STATUS, new JsonObject());
      assertEquals(2, status.getInteger("available"), status.encode());
      assertEquals(0, status.getInteger("queued"), status.encode());
    });
    assertEquals(2, upstream.totalCalls(), "the four queued never started");
  }

  @Test
  @DisplayName("an unknown route is 404 and a wrong method 405, both as error JSON")
  void unknownRouteAndMethod(Vertx vertx) throws Exception {
    deploy(vertx, c -> { });
    assertError(get("/nope"), 404, "NOT_FOUND");
    assertError(send(client.delete(port, "127.0.0.1", "/users/1")), 405, "METHOD_NOT_ALLOWED");
    assertError(send(client.put(port, "127.0.0.1", "/sync")), 405, "METHOD_NOT_ALLOWED");
  }

  @Test
  @DisplayName("shutdown: readiness is 503 first, a request in flight still finishes, then the server is closed")
  void gracefulShutdown(Vertx vertx) throws Exception {
    HttpVerticle web = deploy(vertx, c -> c.getJsonObject("http").put("drainDelayMs", 1500).put("shutdownGraceMs", 3000));
    upstream.script(9, Behaviour.OK, 400);
    assertEquals(200, get("/health/ready").statusCode());
    Future<HttpResponse<Buffer>> inFlight = client.get(port, "127.0.0.1", "/users/9").send();
    await().atMost(Duration.ofSeconds(5)).until(upstream::inFlight, requests -> requests == 1);
    Future<Void> undeployed = vertx.undeploy(web.deploymentID());
    HttpResponse<Buffer> ready = await().atMost(Duration.ofSeconds(5))
      .until(() -> get("/health/ready"), response -> response.statusCode() != 200);
    assertEquals(503, ready.statusCode());
    assertEquals("DOWN", ready.bodyAsJsonObject().getString("status"));
    assertTrue(ready.bodyAsString().contains("shutting down"), ready.bodyAsString());
    assertEquals(200, inFlight.await(10, TimeUnit.SECONDS).statusCode(), "the request in flight finished");
    undeployed.await(10, TimeUnit.SECONDS);
    boolean refused = client.get(port, "127.0.0.1", "/health/live").send()
      .transform(done -> Future.succeededFuture(done.failed())).await(5, TimeUnit.SECONDS);
    assertTrue(refused, "no longer accepting");
  }
}
