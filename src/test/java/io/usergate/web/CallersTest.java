package io.usergate.web;

import io.usergate.auth.ApiKeys;
import io.usergate.store.StoreAddresses;
import io.usergate.support.BridgeClient;
import io.usergate.support.BridgeFrames;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Callers with API keys: who may call which route and which bridged address, over HTTP, SockJS and TCP. */
class CallersTest {

  private static final String READER = "reader-key-0123456789";
  private static final String MIRROR = "mirror-key-0123456789";
  private static final String WRITER = "writer-key-0123456789";
  private static final String NARROW = "narrow-key-0123456789";

  private Vertx vertx;
  private WebClient client;
  private WebSocketClient webSockets;
  private int port;
  private int tcpPort;

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
    // The jobs it enqueued are no other test's business.
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
  }

  static String sha256(String key) {
    return HexFormat.of().formatHex(ApiKeys.sha256(key));
  }

  /** The stack with three callers; {@code tweak} changes the configuration before it starts. */
  private void start(Consumer<JsonObject> tweak) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    vertx = Vertx.vertx();
    FakeDirectory upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    tcpPort = TestConfig.tcpBridgeOnFreePort(config);
    config.getJsonObject("http").put("drainDelayMs", 0);
    config.getJsonObject("auth").put("callers", new JsonObject()
      .put("reader", new JsonObject().put("keySha256", sha256(READER)).put("scopes", "users:read"))
      .put("mirror", new JsonObject().put("keySha256", sha256(MIRROR)).put("scopes", "mirror:read status:read"))
      .put("writer", new JsonObject().put("keySha256", sha256(WRITER)).put("scopes", "sync:write"))
      .put("narrow", new JsonObject().put("keySha256", sha256(NARROW)).put("scopes", "users:read mirror:read")
        .put("fields", "/id,/name,/address/city")));
    tweak.accept(config);
    port = Stack.all(vertx, config).actualPort();
    client = WebClient.create(vertx);
  }

  private HttpResponse<Buffer> get(String uri, String header, String value) throws Exception {
    HttpRequest<Buffer> request = client.get(port, "127.0.0.1", uri);
    if (header != null) {
      request.putHeader(header, value);
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> postSync(String header, String value) throws Exception {
    HttpRequest<Buffer> request = client.post(port, "127.0.0.1", "/sync");
    if (header != null) {
      request.putHeader(header, value);
    }
    return request.sendJsonObject(new JsonObject().put("ids", new JsonArray().add(1))).await(10, TimeUnit.SECONDS);
  }

  private static void assertError(HttpResponse<Buffer> answer, int status, String code, String inMessage) {
    assertEquals(status, answer.statusCode(), answer.bodyAsString());
    JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
    assertEquals(code, error.getString("code"));
    assertTrue(error.getString("message").contains(inMessage), error.getString("message"));
  }

  @Test
  @DisplayName("with auth.callers set, a request without a key is 401 with WWW-Authenticate on every route but /health/*, "
    + "/metrics and the dashboard's page (which holds no data)")
  void noKeyIsUnauthorized() throws Exception {
    start(config -> { });
    for (String uri : new String[]{"/users/7", "/users?ids=1,2", "/store/users/7", "/store/users", "/changes", "/sync",
      "/sync/jobs", "/status"}) {
      HttpResponse<Buffer> answer = get(uri, null, null);
      assertError(answer, 401, "UNAUTHORIZED", "credential");
      assertEquals("Bearer", answer.getHeader("WWW-Authenticate"), uri);
    }
    assertError(postSync(null, null), 401, "UNAUTHORIZED", "credential");
    assertEquals(200, get("/health/live", null, null).statusCode());
    assertEquals(200, get("/", null, null).statusCode());
    // This test's Vert.x has no metrics (500 here): what matters is that no key was asked for.
    assertFalse(get("/metrics", null, null).statusCode() == 401);
  }

  @Test
  @DisplayName("a key as Bearer or X-API-Key reaches the routes of its scopes; another route is 403 naming the scope; "
    + "an unknown key is 401, two credentials at once 400")
  void scopesPerRoute() throws Exception {
    start(config -> { });
    assertEquals(FakeDirectory.user(7), get("/users/7", "Authorization", "Bearer " + READER).bodyAsJsonObject());
    assertEquals(FakeDirectory.user(7), get("/users/7", "X-API-Key", READER).bodyAsJsonObject());
    assertEquals(200, get("/users?ids=1,2", "authorization", "bearer " + READER).statusCode());
    assertError(get("/store/users/7", "X-API-Key", READER), 403, "FORBIDDEN", "mirror:read");
    assertError(get("/status", "X-API-Key", READER), 403, "FORBIDDEN", "status:read");
    assertError(postSync("X-API-Key", READER), 403, "FORBIDDEN", "sync:write");

    // The fetch above writes the user through to the mirror after answering.
    Awaitility.await().atMost(Duration.ofSeconds(10))
      .until(() -> get("/store/users/7", "X-API-Key", MIRROR).statusCode() == 200);
    assertEquals(200, get("/changes", "X-API-Key", MIRROR).statusCode());
    assertEquals(200, get("/status", "X-API-Key", MIRROR).statusCode());
    assertEquals(200, get("/sync", "X-API-Key", MIRROR).statusCode());
    assertError(get("/users/7", "X-API-Key", MIRROR), 403, "FORBIDDEN", "users:read");

    assertEquals(202, postSync("Authorization", "Bearer " + WRITER).statusCode());
    assertError(get("/users/7", "Authorization", "Bearer " + WRITER), 403, "FORBIDDEN", "users:read");

    HttpResponse<Buffer> unknown = get("/users/7", "X-API-Key", READER + "x");
    assertError(unknown, 401, "UNAUTHORIZED", "not a known key");
    assertEquals("Bearer", unknown.getHeader("WWW-Authenticate"));
    assertError(get("/users/7", "Authorization", "Basic " + READER), 401, "UNAUTHORIZED", "not a known key");
    HttpResponse<Buffer> both = client.get(port, "127.0.0.1", "/users/7").putHeader("X-API-Key", READER)
      .putHeader("Authorization", "Bearer " + READER).send().await(10, TimeUnit.SECONDS);
    assertError(both, 400, "BAD_REQUEST", "not both");
  }

  @Test
  @DisplayName("auth.token stays a key of every scope, the caller named token, beside auth.callers")
  void tokenHasEveryScope() throws Exception {
    start(config -> config.getJsonObject("auth").put("token", "the-token"));
    assertEquals(200, get("/users/7", "Authorization", "Bearer the-token").statusCode());
    // The user reaches the mirror after the answer (the write-through does not hold it up).
    Awaitility.await().atMost(Duration.ofSeconds(10))
      .until(() -> get("/store/users/7", "X-API-Key", "the-token").statusCode() == 200);
    assertEquals(202, postSync("Authorization", "Bearer the-token").statusCode());
  }

  @Test
  @DisplayName("auth.metricsOpen false: /metrics needs status:read (401 without a key, 403 without the scope)")
  void metricsClosed() throws Exception {
    start(config -> config.getJsonObject("auth").put("metricsOpen", false));
    assertError(get("/metrics", null, null), 401, "UNAUTHORIZED", "credential");
    assertError(get("/metrics", "X-API-Key", READER), 403, "FORBIDDEN", "status:read");
    int withScope = get("/metrics", "X-API-Key", MIRROR).statusCode();
    assertTrue(withScope != 401 && withScope != 403, "status " + withScope);
  }

  @Test
  @DisplayName("on the TCP bridge a frame's headers carry the key: none is a 401 failure on the reply address, a missing "
    + "scope a 403, neither with user data; the right scope gets the user")
  void tcpBridge() throws Exception {
    start(config -> { });
    NetSocket socket = vertx.createNetClient().connect(tcpPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
    BridgeFrames frames = new BridgeFrames(socket, CallersTest::answers);
    JsonObject fetch = new JsonObject().put("type", "send").put("address", "usergate.fetch.one")
      .put("body", new JsonObject().put("id", 7));

    assertRefusal(frames.exchange(fetch.copy().put("replyAddress", "r1")), "r1", 401, "UNAUTHORIZED");
    assertRefusal(frames.exchange(fetch.copy().put("replyAddress", "r2")
      .put("headers", new JsonObject().put("X-API-Key", MIRROR))), "r2", 403, "FORBIDDEN");
    JsonObject user = frames.exchange(fetch.copy().put("replyAddress", "r3")
      .put("headers", new JsonObject().put("Authorization", "Bearer " + READER)));
    assertEquals(FakeDirectory.user(7), user.getJsonObject("body"), user.encode());

    JsonObject write = new JsonObject().put("type", "send").put("address", "usergate.sync.enqueue").put("replyAddress", "r4")
      .put("headers", new JsonObject().put("X-API-Key", READER)).put("body", new JsonObject().put("ids", new JsonArray().add(1)));
    assertRefusal(frames.exchange(write), "r4", 403, "FORBIDDEN");
    JsonObject written = frames.exchange(write.copy().put("replyAddress", "r5").put("headers", new JsonObject().put("X-API-Key", WRITER)));
    assertEquals(1, written.getJsonObject("body").getInteger("enqueued"), written.encode());

    JsonObject register = frames.exchange(new JsonObject().put("type", "register").put("address", "usergate.user.changed")
      .put("headers", new JsonObject().put("X-API-Key", READER)));
    assertEquals("err", register.getString("type"), register.encode());
    socket.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("on the SockJS bridge (its raw WebSocket) the same: 401 without a key, 403 without the scope, the user with it")
  void sockJsBridge() throws Exception {
    start(config -> { });
    // Held in a field: a client nothing refers to may be closed by the collector mid-handshake.
    webSockets = vertx.createWebSocketClient();
    WebSocket socket = webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI("/eventbus/websocket")).await(10, TimeUnit.SECONDS);
    JsonObject fetch = new JsonObject().put("type", "send").put("address", "usergate.fetch.one")
      .put("body", new JsonObject().put("id", 7));
    assertRefusal(exchange(socket, fetch.copy().put("replyAddress", "s1")), "s1", 401, "UNAUTHORIZED");
    assertRefusal(exchange(socket, fetch.copy().put("replyAddress", "s2")
      .put("headers", new JsonObject().put("X-API-Key", WRITER))), "s2", 403, "FORBIDDEN");
    JsonObject user = exchange(socket, fetch.copy().put("replyAddress", "s3")
      .put("headers", new JsonObject().put("X-API-Key", READER)));
    assertEquals(FakeDirectory.user(7), user.getJsonObject("body"), user.encode());
    socket.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("fields: a caller sees only its pointers of a user on every route (one, many, settled, the mirror's), with "
    + "Cache-Control: private and an ETag of its own; the change feed leaves out the names it may not see")
  void fieldsProjectEveryAnswer() throws Exception {
    start(config -> TestConfig.withCache(config, 60_000L));
    JsonObject whole = FakeDirectory.user(7);
    JsonObject expected = new JsonObject().put("id", whole.getValue("id")).put("name", whole.getValue("name"));
    if (whole.getValue("address") instanceof JsonObject address && address.containsKey("city")) {
      expected.put("address", new JsonObject().put("city", address.getValue("city")));
    }
    HttpResponse<Buffer> full = get("/users/7", "X-API-Key", READER);
    assertEquals(whole, full.bodyAsJsonObject());
    // Now a hit of the node's cache, which keeps the whole user.
    HttpResponse<Buffer> narrow = get("/users/7", "X-API-Key", NARROW);
    assertEquals(expected, narrow.bodyAsJsonObject());
    assertEquals("private", narrow.getHeader("Cache-Control"));
    assertFalse(narrow.getHeader("ETag").equals(full.getHeader("ETag")));
    HttpResponse<Buffer> revalidated = client.get(port, "127.0.0.1", "/users/7").putHeader("X-API-Key", NARROW)
      .putHeader("If-None-Match", narrow.getHeader("ETag")).send().await(10, TimeUnit.SECONDS);
    assertEquals(304, revalidated.statusCode());
    assertEquals(200, client.get(port, "127.0.0.1", "/users/7").putHeader("X-API-Key", NARROW)
      .putHeader("If-None-Match", full.getHeader("ETag")).send().await(10, TimeUnit.SECONDS).statusCode());
    assertEquals(whole, get("/users/7", "X-API-Key", READER).bodyAsJsonObject());

    JsonArray many = get("/users?ids=7,8", "X-API-Key", NARROW).bodyAsJsonObject().getJsonArray("users");
    assertEquals(expected, many.getJsonObject(0));
    assertEquals(Set.of("id", "name"), many.getJsonObject(1).fieldNames());
    JsonObject settled = get("/users?ids=7&mode=settled", "X-API-Key", NARROW).bodyAsJsonObject();
    assertEquals(expected, settled.getJsonArray("results").getJsonObject(0).getJsonObject("user"));

    assertEquals(expected, get("/store/users/7", "X-API-Key", NARROW).bodyAsJsonObject());
    assertEquals("private", get("/store/users/7", "X-API-Key", NARROW).getHeader("Cache-Control"));
    // The page is the store's: it holds the users once their write-throughs (after the answers) are in.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
      .until(() -> !get("/store/users", "X-API-Key", NARROW).bodyAsJsonObject().getJsonArray("users").isEmpty());
    JsonArray page = get("/store/users", "X-API-Key", NARROW).bodyAsJsonObject().getJsonArray("users");
    page.forEach(user -> assertTrue(Set.of("id", "name").containsAll(((JsonObject) user).fieldNames()), user.toString()));

    // The feed (its filtering of names is ProjectionTest's): no name of a field this caller cannot see.
    JsonArray changes = get("/changes", "X-API-Key", NARROW).bodyAsJsonObject().getJsonArray("changes");
    assertFalse(changes.isEmpty());
    changes.forEach(change -> {
      Object names = ((JsonObject) change).getValue("fields");
      if (names instanceof JsonArray list) {
        list.forEach(name -> assertTrue(Set.of("id", "name").contains(name), change.toString()));
      }
    });
  }

  private BridgeClient tcpClient() throws Exception {
    return BridgeClient.tcp(vertx, tcpPort);
  }

  private BridgeClient sockJsClient() throws Exception {
    if (webSockets == null) {
      webSockets = vertx.createWebSocketClient();
    }
    return BridgeClient.sockJs(webSockets, port);
  }

  @Test
  @DisplayName("fields on the bridges: over TCP and SockJS a caller with fields gets only its pointers from fetch.one, "
    + "fetch.many, store.get, store.list and changes.read, and user.changed events without the names it may not see; "
    + "a caller without fields gets all of it")
  void fieldsOnTheBridges() throws Exception {
    start(config -> config.getJsonObject("auth").put("token", "the-token"));
    JsonObject whole = FakeDirectory.user(7);
    JsonObject expected = new JsonObject().put("id", whole.getValue("id")).put("name", whole.getValue("name"));
    if (whole.getValue("address") instanceof JsonObject address && address.containsKey("city")) {
      expected.put("address", new JsonObject().put("city", address.getValue("city")));
    }
    assertEquals(200, get("/users/7", "X-API-Key", "the-token").statusCode());
    Awaitility.await().atMost(Duration.ofSeconds(10))
      .until(() -> get("/store/users/7", "X-API-Key", "the-token").statusCode() == 200);

    Map<String, BridgeClient[]> bridges = new LinkedHashMap<>();
    bridges.put("tcp", new BridgeClient[]{tcpClient(), tcpClient()});
    bridges.put("sockjs", new BridgeClient[]{sockJsClient(), sockJsClient()});
    for (Map.Entry<String, BridgeClient[]> bridge : bridges.entrySet()) {
      String name = bridge.getKey();
      BridgeClient narrow = bridge.getValue()[0];
      BridgeClient full = bridge.getValue()[1];
      JsonObject seven = new JsonObject().put("id", 7);

      assertEquals(expected, narrow.request("usergate.fetch.one", seven, NARROW, "n1").getJsonObject("body"), name);
      JsonObject wholeSeven = full.request("usergate.fetch.one", seven, "the-token", "w1").getJsonObject("body");
      assertEquals(whole.getValue("email"), wholeSeven.getValue("email"), name);
      JsonArray many = narrow.request("usergate.fetch.many", new JsonObject().put("ids", new JsonArray().add(7).add(8)),
        NARROW, "n2").getJsonObject("body").getJsonArray("users");
      assertEquals(expected, many.getJsonObject(0), name);
      assertEquals(Set.of("id", "name"), many.getJsonObject(1).fieldNames(), name);
      assertEquals(expected, narrow.request("usergate.store.get", seven, NARROW, "n3").getJsonObject("body"), name);
      assertTrue(full.request("usergate.store.get", seven, "the-token", "w3").getJsonObject("body").containsKey("email"));
      JsonArray page = narrow.request("usergate.store.list", new JsonObject(), NARROW, "n4").getJsonObject("body")
        .getJsonArray("users");
      assertFalse(page.isEmpty(), name);
      page.forEach(user -> assertTrue(Set.of("id", "name", "address").containsAll(((JsonObject) user).fieldNames()), user.toString()));
      JsonArray changes = narrow.request("usergate.changes.read", new JsonObject(), NARROW, "n5").getJsonObject("body")
        .getJsonArray("changes");
      assertFalse(changes.isEmpty(), name);
      changes.forEach(change -> {
        if (((JsonObject) change).getValue("fields") instanceof JsonArray names) {
          names.forEach(field -> assertTrue(Set.of("id", "name", "address").contains(field), change.toString()));
        }
      });

      narrow.writer().accept(new JsonObject().put("type", "register").put("address", "usergate.user.changed")
        .put("headers", new JsonObject().put("X-API-Key", NARROW)));
      full.writer().accept(new JsonObject().put("type", "register").put("address", "usergate.user.changed")
        .put("headers", new JsonObject().put("X-API-Key", "the-token")));
      // Each socket's frames are read in order: answered, the registration before is in place.
      narrow.request("usergate.fetch.one", seven, NARROW, "n6");
      full.request("usergate.fetch.one", seven, "the-token", "w6");
      // A user of its own for each bridge, stored, then renamed with a new email: one update of both fields.
      JsonObject stored = FakeDirectory.user(name.equals("tcp") ? 30 : 31);
      Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(stored)));
      JsonObject renamed = stored.copy().put("name", "Renamed over " + name).put("email", name + "@example.org");
      Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(renamed)));
      Predicate<JsonObject> renaming = frame -> "usergate.user.changed".equals(frame.getString("address"))
        && renamed.getValue("id").toString().equals(frame.getJsonObject("body").getValue("id").toString())
        && "updated".equals(frame.getJsonObject("body").getString("kind"));
      JsonObject narrowEvent = narrow.first(renaming).getJsonObject("body");
      assertEquals(new JsonArray().add("name"), narrowEvent.getJsonArray("fields"), narrowEvent.encode());
      JsonObject fullEvent = full.first(renaming).getJsonObject("body");
      assertTrue(fullEvent.getJsonArray("fields").contains("email"), fullEvent.encode());
    }
  }

  @Test
  @DisplayName("a refused request gets one answer over TCP and SockJS: usergate's error on its reply address, no "
    + "refusal of the bridge's own after it; a refused registration (no reply address) the bridge's err alone")
  void oneAnswerPerRefusal() throws Exception {
    start(config -> { });
    for (BridgeClient client : List.of(tcpClient(), sockJsClient())) {
      client.writer().accept(new JsonObject().put("type", "send").put("address", "usergate.fetch.one").put("replyAddress", "o1")
        .put("body", new JsonObject().put("id", 7)));
      client.writer().accept(new JsonObject().put("type", "send").put("address", "usergate.sync.enqueue").put("replyAddress", "o2")
        .put("headers", new JsonObject().put("X-API-Key", READER)).put("body", new JsonObject().put("ids", new JsonArray().add(1))));
      List<JsonObject> answers = client.untilDenied();
      assertEquals(2, answers.size(), answers.toString());
      assertRefusal(answers.get(0), "o1", 401, "UNAUTHORIZED");
      assertRefusal(answers.get(1), "o2", 403, "FORBIDDEN");

      int before = client.received().size();
      client.writer().accept(new JsonObject().put("type", "register").put("address", "usergate.user.changed")
        .put("headers", new JsonObject().put("X-API-Key", READER)));
      List<JsonObject> refusal = client.untilDenied();
      assertEquals(1, refusal.size() - before, refusal.toString());
      assertEquals("err", refusal.get(before).getString("type"), refusal.toString());
    }
  }

  /** A refusal on a reply address: the error contract of the bus, and nothing of a user. */
  private static void assertRefusal(JsonObject frame, String replyAddress, int status, String code) {
    assertEquals("err", frame.getString("type"), frame.encode());
    assertEquals(replyAddress, frame.getString("address"), frame.encode());
    assertEquals(status, frame.getInteger("failureCode"), frame.encode());
    assertEquals(code, new JsonObject(frame.getString("message")).getJsonObject("error").getString("code"));
    assertNull(frame.getValue("body"), frame.encode());
    assertFalse(frame.encode().contains("Leanne") || frame.encode().contains("@"), frame.encode());
  }

  /**
   * Whether {@code received} answers {@code sent}: a request's answer comes to its reply address; anything else
   * answers a frame without one.
   */
  private static boolean answers(JsonObject sent, JsonObject received) {
    String replyAddress = sent.getString("replyAddress");
    return replyAddress == null || replyAddress.equals(received.getString("address"));
  }

  /** Sends a text frame on the SockJS raw WebSocket and reads the next one back. */
  private static JsonObject exchange(WebSocket socket, JsonObject frame) throws Exception {
    Promise<JsonObject> answer = Promise.promise();
    // The bridge answers in binary frames: the handler reads every frame's data.
    socket.handler(data -> {
      JsonObject received = data.toJsonObject();
      if (answers(frame, received)) {
        answer.tryComplete(received);
      }
    });
    socket.writeTextMessage(frame.encode());
    return answer.future().await(10, TimeUnit.SECONDS);
  }
}
