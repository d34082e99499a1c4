package io.usergate.web;

import io.usergate.metrics.Metrics;
import io.usergate.support.BridgeClient;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A caller's {@code ratePerSecond} over HTTP and the TCP bridge, one budget for both, and the caller as a label of
 * the request counter. The quota is one request every 5 s (a burst of 1), so that the test's own pace can never
 * refill it between two requests; the limiter's arithmetic is QuotasTest's.
 */
class QuotaTest {

  private static final String LIMITED = "limited-key-0123456789";
  private static final String BRIDGED = "bridged-key-0123456789";
  private static final String FREE = "free-key-0123456789";

  private Vertx vertx;
  private Vertx clients;
  private WebClient client;
  private int port;
  private int tcpPort;

  @BeforeEach
  void start() throws Exception {
    // Built as the launcher builds it: with usergate's metrics, for the caller label.
    vertx = Metrics.vertxBuilder(new VertxOptions()).build();
    FakeDirectory upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.withCache(TestConfig.against(upstream), 60_000L);
    tcpPort = TestConfig.tcpBridgeOnFreePort(config);
    config.getJsonObject("http").put("drainDelayMs", 0);
    config.getJsonObject("auth").put("callers", new JsonObject()
      .put("limited", caller(LIMITED).put("ratePerSecond", 0.2))
      .put("bridged", caller(BRIDGED).put("ratePerSecond", 0.2))
      .put("free", caller(FREE)));
    port = Stack.all(vertx, config).actualPort();
    // The test's client in a Vert.x of its own: its requests are not the service's meters.
    clients = Vertx.vertx();
    client = WebClient.create(clients);
  }

  private static JsonObject caller(String key) {
    return new JsonObject().put("keySha256", CallersTest.sha256(key)).put("scopes", "users:read status:read");
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(clients);
    Stack.close(vertx);
  }

  private HttpResponse<Buffer> get(String uri, String key) throws Exception {
    return client.get(port, "127.0.0.1", uri).putHeader("X-API-Key", key).send().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("over its quota a caller gets 429 with the error JSON, Retry-After in whole seconds and the draft's "
    + "RateLimit-Policy and RateLimit, hits of the cache included; another caller is not affected")
  void http() throws Exception {
    HttpResponse<Buffer> first = get("/users/7", LIMITED);
    assertEquals(200, first.statusCode(), first.bodyAsString());
    assertNull(first.getHeader("RateLimit"), "an answered request carries no RateLimit field (the draft's MAY)");
    // The same user again: a hit of the node's cache, which still counts.
    HttpResponse<Buffer> refused = get("/users/7", LIMITED);
    assertEquals(429, refused.statusCode(), refused.bodyAsString());
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertEquals("TOO_MANY_REQUESTS", error.getString("code"));
    assertEquals(429, error.getInteger("status"));
    assertTrue(error.getString("message").contains("limited"), error.getString("message"));
    assertFalse(refused.bodyAsString().contains("Leanne") || refused.bodyAsString().contains("@"), refused.bodyAsString());
    long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);
    assertEquals("\"default\";q=1;w=5", refused.getHeader("RateLimit-Policy"));
    assertEquals("\"default\";r=0;t=" + retryAfter, refused.getHeader("RateLimit"));
    // Every route, the dashboard's too: it is the caller's budget, not a route's.
    assertEquals(429, get("/status", LIMITED).statusCode());

    for (int i = 0; i < 20; i++) {
      assertEquals(200, get("/users/7", FREE).statusCode());
    }
    // Without a key: anonymous, which has no quota.
    assertEquals(200, client.get(port, "127.0.0.1", "/health/live").send().await(10, TimeUnit.SECONDS).statusCode());

    String metrics = client.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
    assertEquals(1, counted(metrics, "limited", 200), metrics);
    assertEquals(2, counted(metrics, "limited", 429), metrics);
    assertEquals(20, counted(metrics, "free", 200), metrics);
    assertEquals(1, counted(metrics, "anonymous", 200), metrics);
    get("/users/7", "not-a-key");
    assertEquals(401, client.get(port, "127.0.0.1", "/users/7").send().await(10, TimeUnit.SECONDS).statusCode());
    String after = client.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
    assertEquals(1, counted(after, "refused", 401), "a key that is nobody's: " + after);
    assertEquals(1, counted(after, "anonymous", 401), "no key at all where one is required: " + after);
    assertFalse(after.contains("not-a-key"), "a credential never becomes a label");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "sockjs"})
  @DisplayName("on either bridge a frame that needs a scope takes from the caller's quota: beyond it the 429 on its reply "
    + "address; frames that need none (ping) take nothing; the budget is the one its HTTP requests take from")
  void bridges(String bridge) throws Exception {
    BridgeClient frames = bridge.equals("tcp") ? BridgeClient.tcp(vertx, tcpPort)
      : BridgeClient.sockJs(clients.createWebSocketClient(), port);
    JsonObject key = new JsonObject().put("X-API-Key", BRIDGED);
    for (int i = 0; i < 3; i++) {
      frames.writer().accept(new JsonObject().put("type", "ping").put("headers", key));
    }
    // The burst is one request: had a ping taken from it, this would be refused.
    JsonObject user = frames.request("usergate.fetch.one", new JsonObject().put("id", 7), key, "q1");
    assertEquals(FakeDirectory.user(7), user.getJsonObject("body"), user.encode());

    JsonObject refused = frames.request("usergate.fetch.one", new JsonObject().put("id", 7), key, "q2");
    assertEquals("err", refused.getString("type"), refused.encode());
    assertEquals(429, refused.getInteger("failureCode"), refused.encode());
    JsonObject error = new JsonObject(refused.getString("message")).getJsonObject("error");
    assertEquals("TOO_MANY_REQUESTS", error.getString("code"), refused.encode());
    assertTrue(error.getString("message").contains("retry in"), refused.encode());
    assertNull(refused.getValue("body"), refused.encode());
    assertEquals(List.of(), frames.untilDenied().stream().filter(frame -> !"q1".equals(frame.getString("address"))
      && !"q2".equals(frame.getString("address")) && !"pong".equals(frame.getString("type"))).toList(),
      "one answer each, nothing more");

    // One budget: the bridge's frame used it, so the same caller's HTTP request is refused too.
    assertEquals(429, get("/users/7", BRIDGED).statusCode());
  }

  /** The count of {@code usergate_caller_requests_total{caller, code}} in a scrape, 0 when absent. */
  private static long counted(String scrape, String caller, int code) {
    Matcher line = Pattern.compile("^usergate_caller_requests_total\\{(?=[^}]*caller=\"" + caller + "\")(?=[^}]*code=\"" + code
      + "\")[^}]*} ([0-9.eE+]+)$", Pattern.MULTILINE).matcher(scrape);
    return line.find() ? (long) Double.parseDouble(line.group(1)) : 0;
  }
}
