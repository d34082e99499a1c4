package io.usergate.web;

import io.usergate.metrics.Metrics;
import io.usergate.support.Bus;
import io.usergate.support.Chromium;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser-origin rule in a real browser (headless Chromium): the whole stack on a free port, and the
 * test's own servers on two other ports of 127.0.0.1, one of them in {@code http.allowedOrigins}. Each
 * serves {@code webroot/origin-probe.html} (on the test classpath, so usergate serves it too, from its
 * own origin), which tries to read the mirror in every way a page can and POSTs what it got to the test.
 * The test waits for that report (or the browser's exit), never for a time.
 *
 * <p>One Vert.x with metrics on for the class, as in {@link WebLoadAndMetricsTest}: the dashboard polls
 * {@code /metrics}, which answers 500 without them (VertxExtension's Vert.x has none).
 */
class CrossOriginBrowserTest {

  private static final Path NODE_MODULES = TestConfig.projectDir().resolve("target/node-bridge/node_modules").toAbsolutePath();
  private static final Path SOCKJS = NODE_MODULES.resolve("sockjs-client/dist/sockjs.min.js");
  private static final Path BRIDGE_CLIENT = NODE_MODULES.resolve("@vertx/eventbus-bridge-client.js/vertx-eventbus.js");
  private static final Duration REPORT_WITHIN = Duration.ofSeconds(150);
  private static final List<String> SOCKJS_TRANSPORTS = List.of("websocket", "xhr-streaming", "xhr-polling", "eventsource",
    "htmlfile", "jsonp-polling", "iframe-eventsource", "iframe-htmlfile", "iframe-xhr-polling");

  private static Vertx vertx;
  private static final Map<String, Promise<JsonObject>> reports = new ConcurrentHashMap<>();
  /** Every message sent on the bus to an address the bridge permits, since the test began. */
  private static List<String> delivered;
  private static String usergate;
  private static String evil;
  private static String friend;

  @BeforeAll
  static void deploy() throws Exception {
    Chromium.assertInstalled();
    assertTrue(Files.isRegularFile(SOCKJS) && Files.isRegularFile(BRIDGE_CLIENT), "the npm package "
      + "@vertx/eventbus-bridge-client.js is not under " + NODE_MODULES + ": scripts/test installs it (npm install)");
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    vertx = Metrics.vertxBuilder(new VertxOptions()).build();

    Router pages = pagesRouter();
    evil = "http://127.0.0.1:" + listen(pages).actualPort();
    friend = "http://127.0.0.1:" + listen(pages).actualPort();

    JsonObject config = TestConfig.forTests();
    config.getJsonObject("demo").put("latencyMs", 0).put("jitterMs", 0);
    Stack.demoUpstream(vertx, config);
    config.getJsonObject("http").put("allowedOrigins", friend).put("drainDelayMs", 0);
    config.getJsonObject("sync").put("intervalMs", 60_000);
    usergate = "http://127.0.0.1:" + Stack.all(vertx, config).actualPort();

    // Three users in the mirror: a read that gets through has something to show.
    assertEquals(200, WebClient.create(vertx).getAbs(usergate + "/users?ids=1,2,3").send().await(30, TimeUnit.SECONDS).statusCode());
    Sql.awaitCount("SELECT count(*) FROM users", 3, 10_000);
    delivered = Bus.recordSent(vertx, Bridges.INBOUND);
  }

  @AfterAll
  static void close() throws Exception {
    Stack.close(vertx);
  }

  @BeforeEach
  void forgetDeliveries() {
    delivered.clear();
  }

  @Test
  @DisplayName("a page of another origin reads nothing: the SockJS client on every transport, a raw WebSocket, fetch, "
    + "the jsonp transport and iframe.html driven by hand all fail, and no message reaches the bus")
  void anotherOriginGetsNothing() throws Exception {
    JsonObject result = probe("evil", evil);
    for (String transport : SOCKJS_TRANSPORTS) {
      assertNothing(result.getJsonObject("sockjs").getJsonObject(transport), "SockJS " + transport, result);
    }
    for (String attempt : List.of("rawWebSocket", "fetch", "jsonp", "iframe")) {
      assertNothing(result.getJsonObject(attempt), attempt, result);
    }
    assertEquals(List.of(), delivered, "nothing may reach the bus from another origin: " + result.encodePrettily());
  }

  @Test
  @DisplayName("usergate's own origin works in the browser: the dashboard at / goes live with numbers, and a page of "
    + "that origin reads the mirror on every transport and every way")
  void theOwnOriginWorks() throws Exception {
    String dom = Chromium.dumpDom("dashboard", usergate + "/", 5000, Duration.ofSeconds(90));
    assertTrue(dom.contains("<span id=\"status\" class=\"live\">live</span>"), "the dashboard did not go live:\n" + dom);
    Matcher pending = Pattern.compile("<dd id=\"qPending\">([^<]*)</dd>").matcher(dom);
    assertTrue(pending.find() && pending.group(1).matches("[0-9][0-9,.]*"), "no live figure in the sync queue:\n" + dom);

    JsonObject result = probe("own", usergate);
    assertEquals(usergate, result.getString("origin"), result.encodePrettily());
    for (String transport : SOCKJS_TRANSPORTS) {
      assertUsers(result.getJsonObject("sockjs").getJsonObject(transport), "SockJS " + transport, result);
    }
    for (String attempt : List.of("rawWebSocket", "fetch", "jsonp", "iframe")) {
      assertUsers(result.getJsonObject(attempt), attempt, result);
    }
  }

  @Test
  @DisplayName("a page of an origin in http.allowedOrigins reads the mirror over the SockJS client (websocket, "
    + "xhr-streaming, xhr-polling, eventsource), a raw WebSocket and fetch (CORS); not by <script> or <iframe> loads")
  void anAllowedOriginWorksOverCors() throws Exception {
    JsonObject result = probe("friend", friend);
    for (String transport : List.of("websocket", "xhr-streaming", "xhr-polling", "eventsource")) {
      assertUsers(result.getJsonObject("sockjs").getJsonObject(transport), "SockJS " + transport, result);
    }
    assertUsers(result.getJsonObject("rawWebSocket"), "rawWebSocket", result);
    assertUsers(result.getJsonObject("fetch"), "fetch", result);
    // Loads that carry no Origin from another site: the rule cannot tell a listed page from any other.
    for (String transport : List.of("jsonp-polling", "iframe-eventsource", "iframe-htmlfile", "iframe-xhr-polling")) {
      assertNothing(result.getJsonObject("sockjs").getJsonObject(transport), "SockJS " + transport, result);
    }
    assertNothing(result.getJsonObject("jsonp"), "jsonp", result);
    assertNothing(result.getJsonObject("iframe"), "iframe", result);
  }

  // --- helpers -------------------------------------------------------------------------------------

  private static void assertNothing(JsonObject outcome, String what, JsonObject result) {
    assertTrue(outcome != null && outcome.getString("error") != null, what + " has no error: " + result.encodePrettily());
    assertNull(outcome.getValue("users"), what + " read users: " + result.encodePrettily());
  }

  private static void assertUsers(JsonObject outcome, String what, JsonObject result) {
    assertTrue(outcome != null, what + " missing: " + result.encodePrettily());
    assertEquals(3, outcome.getInteger("users", -1), what + ": " + result.encodePrettily());
  }

  /** Opens the probe page served from {@code pageBase} and returns what it reported. */
  private JsonObject probe(String role, String pageBase) throws Exception {
    Promise<JsonObject> report = reports.computeIfAbsent(role, name -> Promise.promise());
    String url = pageBase + "/origin-probe.html?target=" + encode(usergate) + "&lib=" + encode(evil + "/lib")
      + "&report=" + encode(evil + "/report/" + role);
    // iframe.html loads sockjs-client from its CDN: here that name leads to the test's server.
    String cdn = "--host-resolver-rules=MAP cdn.jsdelivr.net " + evil.substring("http://".length());
    try (Chromium browser = Chromium.open(role, url, cdn)) {
      browser.exited().thenRun(() -> report.tryFail(
        new AssertionError("chromium exited before the page reported:\n" + browser.logTail())));
      JsonObject result = report.future().await(REPORT_WITHIN.toSeconds(), TimeUnit.SECONDS);
      Files.writeString(TestConfig.projectDir().resolve("target/browser/" + role + ".json"), result.encodePrettily());
      assertNull(result.getString("setupError"), result.encodePrettily());
      return result;
    }
  }

  /** The test's pages: the probe, the two client scripts, the "CDN" copy of sockjs-client, and the report sink. */
  private static Router pagesRouter() {
    Router router = Router.router(vertx);
    router.get("/origin-probe.html").handler(ctx -> vertx.fileSystem().readFile("webroot/origin-probe.html")
      .onSuccess(page -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page))
      .onFailure(ctx::fail));
    router.get("/lib/sockjs.min.js").handler(ctx -> ctx.response().sendFile(SOCKJS.toString()));
    router.get("/lib/vertx-eventbus.js").handler(ctx -> ctx.response().sendFile(BRIDGE_CLIENT.toString()));
    router.get("/npm/sockjs-client@1/dist/sockjs.min.js").handler(ctx -> ctx.response().sendFile(SOCKJS.toString()));
    router.post("/report/:role").handler(BodyHandler.create(false)).handler(ctx -> {
      reports.computeIfAbsent(ctx.pathParam("role"), name -> Promise.promise())
        .tryComplete(new JsonObject(ctx.body().asString()));
      ctx.response().putHeader("Access-Control-Allow-Origin", "*").setStatusCode(204).end();
    });
    return router;
  }

  private static HttpServer listen(Router router) throws Exception {
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
