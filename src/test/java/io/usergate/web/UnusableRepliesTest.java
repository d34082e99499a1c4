package io.usergate.web;

import io.usergate.HeaderNames;
import io.usergate.MainVerticle;
import io.usergate.fetch.FetchAddresses;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.support.LogCapture;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every route ends its answer on every path, whatever the verticles behind it reply. The web verticle runs
 * alone: in place of fetch, store and sync, a consumer on each of their addresses replies something no
 * route can rely on. Each route of the router gets a valid request, and its answer must arrive within
 * {@link #BOUND_MS}; a reply the route cannot use is the contract's 500 {@code INTERNAL}, logged once with
 * its stack trace and never sent one.
 */
class UnusableRepliesTest {

  private static final String TOKEN = "unusable-token";
  /**
   * The bound on every answer. The bus timeout ({@code http.requestTimeoutMs}) and the health checks' own
   * ({@code health.timeoutMs}) are far longer here, so neither can end a hung request within it.
   */
  private static final long BOUND_MS = 5000;

  /** What the consumers reply: each something a route cannot take as the reply it expects. */
  enum Unusable {
    /** A JSON object without any of the fields, and none of the headers, a route reads. */
    EMPTY_OBJECT(new JsonObject(), Map.of()),
    /** Every field and header a route reads is there, of the wrong type or not readable. */
    WRONG_TYPES(new JsonObject().put("started", "yes").put("breaker", 7).put("breakerSince", false).put("users", "none")
      .put("next", new JsonArray()).put("id", "seven").put("name", 8),
      Map.of(HeaderNames.BUS_FETCHED_AT, "yesterday", HeaderNames.BUS_CACHE_STATUS, "hit",
        HeaderNames.BUS_SOURCE, "upstream")),
    /** A JSON array where an object is expected. */
    ARRAY(new JsonArray().add("not").add("an object"), Map.of()),
    /** A string. */
    TEXT("not JSON at all", Map.of()),
    /** No body at all. */
    NOTHING(null, Map.of());

    final Object body;
    final Map<String, String> headers;

    Unusable(Object body, Map<String, String> headers) {
      this.body = body;
      this.headers = headers;
    }
  }

  /** A valid request of a route, and its status for each {@link Unusable}, in their order. */
  private record Call(String uri, String json, List<Integer> statuses) {
  }

  /**
   * Every route of the router (its method and path; HEAD is sent with every GET): a new route fails
   * {@link #everyRouteHasACall} until it is here.
   */
  private static final Map<String, Call> CALLS = calls();

  private static Map<String, Call> calls() {
    Map<String, Call> calls = new LinkedHashMap<>();
    // A route that passes the reply on answers the objects as they came, and 500 for the rest.
    List<Integer> passes200 = List.of(200, 200, 500, 500, 500);
    List<Integer> passes202 = List.of(202, 202, 500, 500, 500);
    List<Integer> fails = List.of(500, 500, 500, 500, 500);
    List<Integer> ok = List.of(200, 200, 200, 200, 200);
    // 99ccc44: fetch's answer without a fetch time that reads as an instant is served as it came.
    calls.put("GET /users/:id", new Call("/users/7", null, passes200));
    calls.put("GET /users", new Call("/users?ids=1,2", null, passes200));
    calls.put("POST /users/batch", new Call("/users/batch", "{\"ids\": [1, 2]}", passes200));
    // The store's answer without its fetch time cannot be kept nor carry X-Usergate-Fetched-At.
    calls.put("GET /store/users/:id", new Call("/store/users/7", null, fails));
    calls.put("GET /store/users", new Call("/store/users?after=0&limit=2", null, passes200));
    // A part that cannot be had is null with its reason beside it (StatusReport).
    calls.put("GET /status", new Call("/status", null, ok));
    calls.put("GET /changes", new Call("/changes?after=0&limit=2", null, passes200));
    calls.put("GET /sync", new Call("/sync", null, passes200));
    calls.put("POST /sync", new Call("/sync", "{\"ids\": [1, 2]}", passes202));
    calls.put("POST /sync/refresh", new Call("/sync/refresh", null, passes202));
    calls.put("GET /sync/jobs", new Call("/sync/jobs?state=failed", null, passes200));
    calls.put("POST /sync/jobs/retry", new Call("/sync/jobs/retry", "{\"state\": \"failed\"}", passes202));
    calls.put("POST /sync/jobs/discard", new Call("/sync/jobs/discard", "{\"ids\": [1]}", passes202));
    // Without "started", a boolean, it cannot say whether a walk started (202) or one runs already (200).
    calls.put("POST /sync/walk", new Call("/sync/walk", null, fails));
    // Startup asks only that each verticle answers; readiness reads fetch's breaker, and is DOWN without one.
    calls.put("GET /health/started", new Call("/health/started", null, ok));
    calls.put("GET /health/live", new Call("/health/live", null, ok));
    calls.put("GET /health/ready", new Call("/health/ready", null, List.of(503, 503, 503, 503, 503)));
    // Nothing of these asks the bus.
    calls.put("GET /metrics", new Call("/metrics", null, ok));
    calls.put("GET /openapi.yaml", new Call("/openapi.yaml", null, ok));
    calls.put("GET /docs", new Call("/docs", null, ok));
    calls.put("GET /docs/", new Call("/docs/swagger-ui.css", null, ok));
    calls.put("GET /", new Call("/", null, ok));
    // The SockJS transports that POST (here: xhr polling opens a session); the bridge itself: bridgeAnswersEveryAddress.
    calls.put("POST /eventbus/", new Call("/eventbus/000/unusable/xhr", null, ok));
    return calls;
  }

  private Vertx vertx;
  private HttpVerticle web;

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
  }

  /** The web verticle alone; every address of fetch, store and sync answered {@code unusable}. */
  private void deploy(Unusable unusable) throws Exception {
    vertx = Metrics.vertxBuilder(new VertxOptions()).build();
    for (String address : addresses()) {
      vertx.eventBus().consumer(address, message -> {
        DeliveryOptions options = new DeliveryOptions();
        unusable.headers.forEach(options::addHeader);
        message.reply(unusable.body, options);
      }).completion().await(10, TimeUnit.SECONDS);
    }
    JsonObject config = TestConfig.fileDefaults();
    config.getJsonObject("http").put("port", 0).put("drainDelayMs", 0).put("requestTimeoutMs", 60_000)
      .put("idleTimeoutMs", 120_000);
    config.getJsonObject("health").put("timeoutMs", 60_000);
    config.getJsonObject("auth").put("token", TOKEN);
    web = new HttpVerticle();
    Stack.deploy(vertx, MainVerticle.WEB, web, config);
  }

  /** Every address constant of fetch, store and sync: whatever the web sends to, now or later, is among them. */
  private static Set<String> addresses() throws IllegalAccessException {
    Set<String> addresses = new TreeSet<>();
    for (Class<?> owner : List.of(FetchAddresses.class, StoreAddresses.class, SyncAddresses.class)) {
      for (Field field : owner.getFields()) {
        if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
          && ((String) field.get(null)).startsWith("usergate.")) {
          addresses.add((String) field.get(null));
        }
      }
    }
    return addresses;
  }

  /** "METHOD path" of every route the router serves by method (HEAD goes with GET), as {@link #CALLS} names them. */
  private Set<String> routes() {
    Set<String> routes = new TreeSet<>();
    for (Route route : web.router().getRoutes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      for (HttpMethod method : route.methods()) {
        if (method != HttpMethod.HEAD) {
          routes.add(method.name() + " " + route.getPath());
        }
      }
    }
    return routes;
  }

  @Test
  @DisplayName("every route of the router has a call here (a new route fails this test until it is added)")
  void everyRouteHasACall() throws Exception {
    deploy(Unusable.EMPTY_OBJECT);
    assertEquals(new TreeSet<>(CALLS.keySet()), routes());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Unusable.class)
  @DisplayName("whatever fetch, store and sync reply, every route (and its HEAD) answers within 5 s; a reply it cannot use is "
    + "500 INTERNAL, the error JSON, logged once with its stack trace and never sent one")
  void everyRouteAnswers(Unusable unusable) throws Exception {
    deploy(unusable);
    // Hung requests keep their connections: a pool of 5 would make the requests behind them look hung too.
    WebClient client = WebClient.create(vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(2 * CALLS.size()));
    try (LogCapture logs = LogCapture.everything()) {
      Map<String, Future<HttpResponse<Buffer>>> answers = new LinkedHashMap<>();
      Map<String, String> requestIds = new ConcurrentHashMap<>();
      CALLS.forEach((route, call) -> {
        HttpMethod method = HttpMethod.valueOf(route.substring(0, route.indexOf(' ')));
        List<HttpMethod> methods = method == HttpMethod.GET ? List.of(HttpMethod.GET, HttpMethod.HEAD) : List.of(method);
        for (HttpMethod sent : methods) {
          String key = sent + route.substring(route.indexOf(' '));
          String requestId = "unusable-" + unusable.ordinal() + "-" + answers.size();
          requestIds.put(key, requestId);
          answers.put(key, send(client, sent, call, requestId).timeout(BOUND_MS, TimeUnit.MILLISECONDS));
        }
      });
      // Each answer has its own bound: this waits for the last of them, answered or timed out.
      Future.join(new ArrayList<>(answers.values())).otherwiseEmpty().await(2 * BOUND_MS, TimeUnit.MILLISECONDS);

      Map<String, String> expected = new TreeMap<>();
      Map<String, String> actual = new TreeMap<>();
      answers.forEach((key, answer) -> {
        String route = key.startsWith("HEAD ") ? "GET" + key.substring(4) : key;
        expected.put(key, String.valueOf(CALLS.get(route).statuses().get(unusable.ordinal())));
        actual.put(key, answer.succeeded() ? String.valueOf(answer.result().statusCode())
          : "no answer within " + BOUND_MS + " ms");
      });
      assertEquals(expected, actual, "the status of each route when fetch, store and sync reply " + unusable);

      answers.forEach((key, answer) -> {
        HttpResponse<Buffer> response = answer.result();
        if (key.equals("GET /status")) {
          // Each part is what it came as when an object, else null with its reason beside it.
          JsonObject status = response.bodyAsJsonObject();
          boolean object = unusable.body instanceof JsonObject;
          assertEquals(object ? unusable.body : null, status.getValue("fetch"), status.encode());
          assertEquals(object, status.getValue("syncError") == null, status.encode());
        }
        if (response.statusCode() == 500) {
          assertTrue(response.getHeader("Content-Type").startsWith("application/json"), key);
          if (!key.startsWith("HEAD ")) {
            assertInternal(key, response);
          }
          // Once, by the one place that maps failures to HTTP: Vert.x's "unhandled exception" would be a second.
          String requestId = requestIds.get(key);
          await().atMost(Duration.ofSeconds(5)).until(() -> !errors(logs, requestId).isEmpty());
          List<String> errors = errors(logs, requestId);
          assertEquals(1, errors.size(), key + ": " + errors);
          assertTrue(errors.get(0).contains(WebErrors.class.getName()) && errors.get(0).contains(" | "),
            key + ": logged by WebErrors with its exception: " + errors);
        }
      });
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Unusable.class)
  @DisplayName("the SockJS bridge answers a send to each permitted address within 5 s, whatever the reply")
  void bridgeAnswersEveryAddress(Unusable unusable) throws Exception {
    deploy(unusable);
    Map<String, JsonObject> frames = new ConcurrentHashMap<>();
    WebSocket socket = vertx.createWebSocketClient().connect(web.actualPort(), "127.0.0.1", "/eventbus/websocket")
      .await(10, TimeUnit.SECONDS);
    socket.handler(data -> {
      JsonObject frame = new JsonObject(data);
      frames.put(frame.getString("address"), frame);
    });
    for (String address : Bridges.INBOUND) {
      socket.writeTextMessage(new JsonObject().put("type", "send").put("address", address)
        .put("headers", new JsonObject().put("Authorization", "Bearer " + TOKEN))
        .put("body", new JsonObject()).put("replyAddress", "reply-" + address).encode()).await(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofMillis(BOUND_MS)).untilAsserted(() -> assertEquals(Bridges.INBOUND.size(), frames.size(), frames.toString()));
    for (String address : Bridges.INBOUND) {
      JsonObject frame = frames.get("reply-" + address);
      assertEquals("rec", frame.getString("type"), address + ": " + frame.encode());
      assertEquals(unusable.body, frame.getValue("body"), address + ": the reply, passed on as it came");
    }
  }

  private Future<HttpResponse<Buffer>> send(WebClient client, HttpMethod method, Call call, String requestId) {
    HttpRequest<Buffer> request = client.request(method, web.actualPort(), "127.0.0.1", call.uri())
      .putHeader(HeaderNames.HTTP_REQUEST_ID, requestId)
      .putHeader("Authorization", "Bearer " + TOKEN);
    if (call.json() == null) {
      return request.send();
    }
    return request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(call.json()));
  }

  /** The error JSON of a bug: INTERNAL, 500, a message that names no exception, no stack trace. */
  private static void assertInternal(String key, HttpResponse<Buffer> response) {
    String text = response.bodyAsString();
    JsonObject error = new JsonObject(text).getJsonObject("error");
    assertEquals("INTERNAL", error.getString("code"), key + ": " + text);
    assertEquals(500, error.getInteger("status"), key + ": " + text);
    assertFalse(text.contains("Exception") || text.contains("\tat ") || text.contains("java."), key + ": " + text);
  }

  /** The ERROR lines of the request {@code requestId}, any logger's. */
  private static List<String> errors(LogCapture logs, String requestId) {
    return logs.linesWithRequestId(requestId).stream().filter(line -> line.startsWith("ERROR ")).toList();
  }
}
