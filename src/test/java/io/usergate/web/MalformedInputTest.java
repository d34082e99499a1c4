package io.usergate.web;

import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.LogCapture;
import io.usergate.support.RawHttp;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge walked with malformed input: every bus address and every route gets a table of bad
 * requests, and each answers the documented error, writes nothing and logs no error.
 */
class MalformedInputTest {

  private static final String TOKEN = "edge-token";
  private static final int MAX_IDS = 1000;

  private static Vertx vertx;
  private static WebClient client;
  private static int port;

  @BeforeAll
  static void deploy() throws Exception {
    vertx = Vertx.vertx();
    FakeDirectory upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    config.getJsonObject("upstream").put("maxIdsPerRequest", MAX_IDS);
    config.getJsonObject("auth").put("token", TOKEN);
    config.getJsonObject("http").put("maxBodyBytes", 4096).put("drainDelayMs", 0);
    config.getJsonObject("sync").put("intervalMs", 3_600_000);
    port = Stack.all(vertx, config).actualPort();
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void cleanTables() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
  }

  /** Bodies that are not a JSON object, sent to every address. */
  private static final List<Object> NOT_AN_OBJECT = List.of(new JsonArray().add(7), "7", 7, 7.5, true);

  @Test
  @DisplayName("every bus address answers 400 BAD_REQUEST to a body that is not an object or has a field of the wrong type; nothing is written")
  void busBodies() throws Exception {
    JsonArray tooMany = new JsonArray(IntStream.rangeClosed(1, MAX_IDS + 1).boxed().collect(Collectors.toList()));
    Map<String, List<JsonObject>> wrongFields = Map.ofEntries(
      Map.entry(FetchAddresses.ONE, List.of(new JsonObject(), new JsonObject().put("id", ""), new JsonObject().put("id", "a\u0001b"),
        new JsonObject().put("id", "x".repeat(257)), new JsonObject().put("id", 1.5), new JsonObject().put("id", true), new JsonObject().put("id", 7).put(FetchAddresses.STALE_FALLBACK, "yes"),
        new JsonObject().put("id", 7).put(FetchAddresses.MAX_AGE_MS, "60"), new JsonObject().put("id", 7).put(FetchAddresses.MAX_AGE_MS, -1),
        new JsonObject().put("id", 7).put(FetchAddresses.ONLY_IF_CACHED, 1), new JsonObject().put("id", 7).put(FetchAddresses.NO_CACHE, "no"))),
      Map.entry(FetchAddresses.MANY, List.of(new JsonObject(), new JsonObject().put("ids", "1,2"),
        new JsonObject().put("ids", new JsonArray().add(1).add("\u0000")), new JsonObject().put("ids", new JsonArray().add(1)).put("mode", "some"),
        new JsonObject().put("ids", new JsonArray().add(1)).put("mode", 7),
        new JsonObject().put("ids", new JsonArray().add(1)).put(FetchAddresses.WRITE_THROUGH, "no"),
        new JsonObject().put("ids", tooMany))),
      Map.entry(FetchAddresses.STATUS, List.of()),
      Map.entry(StoreAddresses.PING, List.of()),
      Map.entry(StoreAddresses.GET_MANY, List.of(new JsonObject(), new JsonObject().put("ids", "1"),
        new JsonObject().put("ids", new JsonArray().add("")))),
      Map.entry(StoreAddresses.GET, List.of(new JsonObject(), new JsonObject().put("id", ""), new JsonObject().put("id", 0.5))),
      Map.entry(StoreAddresses.LIST, List.of(new JsonObject().put("after", 1.5), new JsonObject().put("after", "x\ny"),
        new JsonObject().put("limit", 0), new JsonObject().put("limit", 1001), new JsonObject().put("limit", "5"))),
      Map.entry(StoreAddresses.UPSERT, List.of(new JsonObject(), new JsonObject().put("users", "x"),
        new JsonObject().put("users", new JsonArray().add(7)),
        new JsonObject().put("users", new JsonArray().add(new JsonObject().put("id", 1))),
        new JsonObject().put("users", new JsonArray().add(new JsonObject().put("id", 1).put("name", "a"))).put("fetchedAt", "yesterday"))),
      Map.entry(StoreAddresses.DELETE, List.of(new JsonObject(), new JsonObject().put("id", "x".repeat(257)))),
      Map.entry(StoreAddresses.JOBS_CLAIM, List.of(new JsonObject(), new JsonObject().put("owner", 7).put("limit", 1).put("leaseMs", 1000))),
      Map.entry(StoreAddresses.JOBS_RELEASE, List.of(new JsonObject(), new JsonObject().put("owner", ""))),
      Map.entry(StoreAddresses.JOBS_ENQUEUE, List.of(new JsonObject(), new JsonObject().put("ids", "x"),
        new JsonObject().put("ids", new JsonArray().add("")), new JsonObject().put("ids", new JsonArray().add(-1.5)))),
      Map.entry(SyncAddresses.STATUS, List.of()),
      Map.entry(SyncAddresses.REFRESH, List.of()));
    try (LogCapture log = new LogCapture()) {
      for (Map.Entry<String, List<JsonObject>> address : wrongFields.entrySet()) {
        List<Object> bodies = new ArrayList<>(NOT_AN_OBJECT);
        bodies.add(null);
        bodies.addAll(address.getValue());
        for (Object body : bodies) {
          JsonObject error = Bus.failure(vertx, address.getKey(), body, "BAD_REQUEST", 400);
          assertTrue(error.getString("message").length() < 300, "a short message: " + error.getString("message"));
        }
      }
      // A publish has nobody to answer: a malformed cancel is ignored, and the verticle still serves.
      vertx.eventBus().publish(FetchAddresses.CANCEL, new JsonArray().add(7));
      vertx.eventBus().publish(FetchAddresses.CANCEL, new JsonObject().put(FetchAddresses.REQUEST_ID, 7));
      assertNotNull(Bus.call(vertx, FetchAddresses.STATUS, new JsonObject()).getInteger("maxConcurrent"));
      assertEquals(List.of(), log.errors(), "a caller's mistake logs no error");
    }
    assertNothingWritten();
  }

  /** One malformed HTTP request and the error it must get. */
  private record Bad(HttpMethod method, String uri, Map<String, String> headers, String body, int status, String code) {

    static Bad get(String uri, int status, String code) {
      return new Bad(HttpMethod.GET, uri, Map.of(), null, status, code);
    }

    static Bad post(String uri, Map<String, String> headers, String body, int status, String code) {
      return new Bad(HttpMethod.POST, uri, headers, body, status, code);
    }
  }

  @Test
  @DisplayName("every route answers its documented error JSON to a table of malformed requests, with Allow on every 405; nothing is written")
  void routes() throws Exception {
    Map<String, String> json = Map.of("Content-Type", "application/json");
    Map<String, String> jsonWithToken = Map.of("Content-Type", "application/json", "Authorization", "Bearer " + TOKEN);
    String tooManyIds = IntStream.rangeClosed(1, MAX_IDS + 1).mapToObj(String::valueOf).collect(Collectors.joining(","));
    List<Bad> table = List.of(
      // Ids are the directory's text: only what no directory sends is refused (a control character, 257 characters).
      Bad.get("/users/a%01b", 400, "BAD_REQUEST"),
      Bad.get("/users/%7F", 400, "BAD_REQUEST"),
      Bad.get("/users/" + "x".repeat(257), 400, "BAD_REQUEST"),
      Bad.get("/store/users?after=%00", 400, "BAD_REQUEST"),
      Bad.get("/users/%2e%2e", 400, "BAD_REQUEST"),
      Bad.get("/users", 400, "BAD_REQUEST"),
      Bad.get("/users?ids=", 400, "BAD_REQUEST"),
      Bad.get("/users?ids=1,,2", 400, "BAD_REQUEST"),
      Bad.get("/users?ids=1&ids=%0A", 400, "BAD_REQUEST"),
      Bad.get("/users?ids=1&mode=some", 400, "BAD_REQUEST"),
      Bad.get("/users?ids=" + tooManyIds, 400, "BAD_REQUEST"),
      Bad.get("/store/users/%01", 400, "BAD_REQUEST"),
      Bad.get("/store/users/" + "y".repeat(257), 400, "BAD_REQUEST"),
      Bad.get("/store/users?after=%1B", 400, "BAD_REQUEST"),
      Bad.get("/store/users?limit=0", 400, "BAD_REQUEST"),
      Bad.get("/store/users?limit=5000", 400, "BAD_REQUEST"),
      Bad.get("/no/such/route", 404, "NOT_FOUND"),
      new Bad(HttpMethod.GET, "/users/7", Map.of("Cache-Control", "only-if-cached, max-age=abc"), null, 504, "NOT_CACHED"),
      Bad.post("/users/batch", Map.of(), "{\"ids\":[1]}", 400, "BAD_REQUEST"),
      Bad.post("/users/batch", json, "{\"ids\":", 400, "BAD_REQUEST"),
      Bad.post("/users/batch", json, "[1]", 400, "BAD_REQUEST"),
      Bad.post("/users/batch", json, "", 400, "BAD_REQUEST"),
      Bad.post("/users/batch", json, "{\"ids\":\"1,2\"}", 400, "BAD_REQUEST"),
      Bad.post("/users/batch", json, "{\"ids\":[1],\"mode\":\"some\"}", 400, "BAD_REQUEST"),
      Bad.post("/users/batch", json, "{\"ids\":[" + tooManyIds + "]}", 400, "BAD_REQUEST"),
      Bad.post("/users/batch", json, "{\"ids\":[1],\"pad\":\"" + "x".repeat(5000) + "\"}", 413, "PAYLOAD_TOO_LARGE"),
      Bad.post("/sync", json, "{\"ids\":[1]}", 401, "UNAUTHORIZED"),
      Bad.post("/sync", Map.of("Content-Type", "application/json", "Authorization", "Basic " + TOKEN), "{\"ids\":[1]}", 401, "UNAUTHORIZED"),
      Bad.post("/sync", jsonWithToken, "{\"ids\":[\"\"]}", 400, "BAD_REQUEST"),
      Bad.post("/sync", jsonWithToken, "\"7\"", 400, "BAD_REQUEST"),
      Bad.post("/sync", jsonWithToken, "{\"ids\":\"x\"}", 400, "BAD_REQUEST"),
      Bad.post("/sync/refresh", Map.of(), null, 401, "UNAUTHORIZED"),
      new Bad(HttpMethod.valueOf("Z1Q"), "/users/7", Map.of(), null, 405, "METHOD_NOT_ALLOWED"),
      new Bad(HttpMethod.DELETE, "/users/7", Map.of(), null, 405, "METHOD_NOT_ALLOWED"),
      new Bad(HttpMethod.PUT, "/sync", Map.of(), null, 405, "METHOD_NOT_ALLOWED"),
      // A path of its own (POST only), not the user "batch".
      new Bad(HttpMethod.GET, "/users/batch", Map.of(), null, 405, "METHOD_NOT_ALLOWED"),
      new Bad(HttpMethod.PATCH, "/health/ready", Map.of(), null, 405, "METHOD_NOT_ALLOWED"));
    try (LogCapture log = new LogCapture()) {
      for (Bad bad : table) {
        HttpRequest<Buffer> request = client.request(bad.method(), port, "127.0.0.1", bad.uri());
        bad.headers().forEach(request::putHeader);
        HttpResponse<Buffer> response = (bad.body() == null ? request.send() : request.sendBuffer(Buffer.buffer(bad.body())))
          .await(30, TimeUnit.SECONDS);
        String what = bad.method() + " " + bad.uri().substring(0, Math.min(60, bad.uri().length()));
        assertEquals(bad.status(), response.statusCode(), what + ": " + response.bodyAsString());
        assertTrue(response.getHeader("Content-Type").startsWith("application/json"), what);
        JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
        assertEquals(bad.code(), error.getString("code"), what);
        assertEquals(bad.status(), error.getInteger("status"), what);
        if (bad.status() == 405) {
          assertNotNull(response.getHeader("Allow"), what + ": 405 without Allow");
        }
      }
      assertEquals(List.of(), log.errors(), "a caller's mistake logs no error");
    }
    assertEquals("GET, HEAD", client.delete(port, "127.0.0.1", "/users/7").send().await(10, TimeUnit.SECONDS).getHeader("Allow"));
    assertEquals("GET, HEAD, POST", client.put(port, "127.0.0.1", "/sync").send().await(10, TimeUnit.SECONDS).getHeader("Allow"));
    assertNothingWritten();
  }

  @Test
  @DisplayName("protocol errors: no Host is 400 with no error logged; a line or headers over the limits and a garbage line get the error JSON")
  void protocol() throws Exception {
    try (LogCapture log = new LogCapture()) {
      assertRaw("GET /users/7 HTTP/1.1\r\nConnection: close\r\n\r\n", 400, "BAD_REQUEST");
      String longLine = "GET /users?ids=" + "12345,".repeat(20_000) + "1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
      assertRaw(longLine, 414, "URI_TOO_LONG");
      assertRaw("GET /users/7 HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n",
        431, "HEADERS_TOO_LARGE");
      assertRaw("garbage\r\n\r\n", 400, "BAD_REQUEST");
      assertEquals(List.of(), log.errors(), "a caller's mistake logs no error");
    }
  }

  @Test
  @DisplayName("the documented maximum of ids fits in a URL, as ids=1,2 and as ids=1&ids=2 (700 five-digit ids were a bare 414)")
  void maximumIdsInAUrl() throws Exception {
    String commas = IntStream.range(0, MAX_IDS).mapToObj(i -> String.valueOf(10_000 + i)).collect(Collectors.joining(","));
    HttpResponse<Buffer> response = client.get(port, "127.0.0.1", "/users?ids=" + commas).send().await(60, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals(MAX_IDS, response.bodyAsJsonObject().getJsonArray("users").size());
    String repeated = IntStream.range(0, MAX_IDS).mapToObj(i -> "ids=" + (Long.MAX_VALUE - i)).collect(Collectors.joining("&"));
    response = client.get(port, "127.0.0.1", "/users?mode=settled&" + repeated).send().await(60, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals(MAX_IDS, response.bodyAsJsonObject().getJsonArray("results").size());
    assertEquals(Long.MAX_VALUE, response.bodyAsJsonObject().getJsonArray("results").getJsonObject(0).getLong("id"));
    HttpResponse<Buffer> batch = client.post(port, "127.0.0.1", "/users/batch").putHeader("Content-Type", "application/json")
      .sendJsonObject(new JsonObject().put("ids", new JsonArray().add(3).add(1)).put("mode", "all")).await(30, TimeUnit.SECONDS);
    assertEquals(200, batch.statusCode(), batch.bodyAsString());
    assertEquals(List.of(3L, 1L), batch.bodyAsJsonObject().getJsonArray("users").stream()
      .map(user -> ((JsonObject) user).getLong("id")).collect(Collectors.toList()));
  }

  @Test
  @DisplayName("HEAD answers every GET route like GET without a body, /health/ready included")
  void head() throws Exception {
    for (String uri : List.of("/health/live", "/health/ready", "/metrics", "/users/7", "/users?ids=1,2", "/store/users",
      "/store/users/123456", "/sync", "/", "/no/such/file")) {
      HttpResponse<Buffer> get = client.get(port, "127.0.0.1", uri).send().await(30, TimeUnit.SECONDS);
      HttpResponse<Buffer> head = client.head(port, "127.0.0.1", uri).send().await(30, TimeUnit.SECONDS);
      assertEquals(get.statusCode(), head.statusCode(), "HEAD " + uri);
      if (uri.equals("/")) {
        // vertx-web's StaticHandler answers HEAD with the length but without the type.
        assertEquals(get.getHeader("Content-Length"), head.getHeader("Content-Length"), "HEAD " + uri);
      } else {
        assertEquals(get.getHeader("Content-Type"), head.getHeader("Content-Type"), "HEAD " + uri);
      }
      assertNull(head.body(), "HEAD " + uri + " has no body");
    }
  }

  @Test
  @DisplayName("the Bearer scheme is case-insensitive (RFC 9110); another scheme or token is 401")
  void bearerScheme() throws Exception {
    Map<String, Integer> expected = new LinkedHashMap<>();
    for (String accepted : List.of("Bearer " + TOKEN, "bearer " + TOKEN, "BEARER  " + TOKEN, " Bearer " + TOKEN + " ")) {
      expected.put(accepted, 202);
    }
    for (String refused : List.of("Bearer" + TOKEN, "Bearer wrong", "Basic " + TOKEN, TOKEN, "Bearer " + TOKEN + "x")) {
      expected.put(refused, 401);
    }
    for (Map.Entry<String, Integer> authorization : expected.entrySet()) {
      long id = authorization.getValue() == 202 ? 5 : 6;
      HttpResponse<Buffer> response = client.post(port, "127.0.0.1", "/sync").putHeader("Authorization", authorization.getKey())
        .putHeader("Content-Type", "application/json").sendJsonObject(new JsonObject().put("ids", new JsonArray().add(id)))
        .await(30, TimeUnit.SECONDS);
      assertEquals(authorization.getValue(), response.statusCode(), authorization.getKey() + ": " + response.bodyAsString());
    }
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs WHERE user_id = '6'"));
    // The job of user 5 goes: a batch that claimed it then stores nothing (a completion writes the users of the
    // jobs whose lease it still holds), so no write of it can land after the next test's TRUNCATE.
    TestDatabase.execute("DELETE FROM sync_jobs WHERE user_id = '5'");
  }

  @Test
  @DisplayName("SockJS bridge: a frame whose headers is not an object is rejected, a body that is not an object gets 400; both answered")
  void bridgeFrames() throws Exception {
    WebSocketClient sockets = vertx.createWebSocketClient();
    LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    WebSocket socket = sockets.connect(port, "127.0.0.1", "/eventbus/websocket").await(10, TimeUnit.SECONDS);
    socket.handler(data -> frames.add(new JsonObject(data)));
    socket.writeTextMessage(new JsonObject().put("type", "send").put("address", FetchAddresses.ONE).put("headers", "x")
      .put("body", new JsonObject().put("id", 1)).put("replyAddress", "r1").encode()).await(10, TimeUnit.SECONDS);
    JsonObject rejected = frames.poll(10, TimeUnit.SECONDS);
    assertNotNull(rejected, "an answer to a frame with headers \"x\"");
    assertEquals("err", rejected.getString("type"), rejected.encode());
    assertEquals("rejected", rejected.getString("body"), rejected.encode());

    socket.writeTextMessage(new JsonObject().put("type", "send").put("address", StoreAddresses.GET)
      .put("body", new JsonArray().add(7)).put("replyAddress", "r2").encode()).await(10, TimeUnit.SECONDS);
    JsonObject failed = frames.poll(10, TimeUnit.SECONDS);
    assertNotNull(failed, "an answer to a body [7]");
    assertEquals("err", failed.getString("type"), failed.encode());
    assertEquals(400, failed.getInteger("failureCode"), failed.encode());
    assertEquals("BAD_REQUEST", new JsonObject(failed.getString("message")).getJsonObject("error").getString("code"));
    socket.close().await(10, TimeUnit.SECONDS);
  }

  /** Writes raw bytes, reads until the server closes, and checks the status and the error JSON. */
  private static void assertRaw(String request, int status, String code) throws IOException {
    String text = RawHttp.exchange(port, request);
    String what = request.substring(0, Math.min(40, request.length())).replace("\r\n", " ");
    assertTrue(text.matches("(?s)HTTP/1\\.[01] " + status + " .*"), what + " → " + text);
    assertTrue(text.toLowerCase().contains("content-type: application/json"), what + " → " + text);
    JsonObject error = new JsonObject(text.substring(text.indexOf("\r\n\r\n") + 4)).getJsonObject("error");
    assertEquals(code, error.getString("code"), text);
  }

  private static void assertNothingWritten() {
    assertEquals(0, Sql.count("SELECT count(*) FROM users"), "no user written");
    assertEquals(0, Sql.count("SELECT count(*) FROM sync_jobs"), "no job enqueued");
  }
}
