package io.usergate.web;

import io.usergate.HeaderNames;
import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser-origin rule over the whole stack (demo upstream, store, fetch, sync, web), with real
 * Vert.x HTTP and WebSocket clients that send the headers a browser would: a request from another
 * origin gets 403 and the error JSON on every route and every SockJS transport, and nothing reaches
 * the bus; without {@code Origin}, from the service's own origin and from a configured origin it works.
 */
@ExtendWith(VertxExtension.class)
class CrossOriginTest {

  static final String EVIL = "http://evil.example";
  static final String APP = "http://app.example:3000";

  private HttpClient http;
  private WebSocketClient webSockets;
  private int port;
  /** Every message sent on the bus to an address the bridge permits, while the test runs. */
  private List<String> delivered;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("demo").put("latencyMs", 0).put("jitterMs", 0);
    Stack.demoUpstream(vertx, config);
    config.getJsonObject("http").put("allowedOrigins", APP + ", http://localhost:5173").put("drainDelayMs", 0);
    config.getJsonObject("sync").put("intervalMs", 60_000);
    port = Stack.all(vertx, config).actualPort();
    // A connection per request: SockJS closes the connection after each xhr poll without saying so, and a
    // pooled client could send the next request on it.
    http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    webSockets = vertx.createWebSocketClient();
    // Three users in the mirror, so that a read that gets through has something to leak.
    assertEquals(200, exchange(HttpMethod.GET, "/users?ids=1,2,3", Map.of(), null).status);
    Sql.awaitCount("SELECT count(*) FROM users", 3, 10_000);
    delivered = Bus.recordSent(vertx, Bridges.INBOUND);
  }

  @Test
  @DisplayName("Origin: http://evil.example is refused with 403 FORBIDDEN and no Access-Control-Allow-* headers on every "
    + "SockJS transport, the raw WebSocket and the HTTP routes, preflight included; nothing reaches the bus")
  void anotherOriginIsRefusedEverywhere() throws Exception {
    Map<String, String> evil = Map.of("Origin", EVIL);
    assertRefused(webSocket("/eventbus/websocket", evil), "raw WebSocket");
    assertRefused(webSocket("/eventbus/000/evilsession1/websocket", evil), "SockJS websocket");

    String frame = sendFrame("usergate.store.list", new JsonObject().put("limit", 10));
    List<Call> calls = List.of(
      new Call(HttpMethod.GET, "/eventbus/info", null),
      new Call(HttpMethod.OPTIONS, "/eventbus/info", null),
      new Call(HttpMethod.GET, "/eventbus/iframe.html", null),
      new Call(HttpMethod.GET, "/eventbus/", null),
      new Call(HttpMethod.POST, "/eventbus/000/evilsession2/xhr", null),
      new Call(HttpMethod.POST, "/eventbus/000/evilsession2/xhr_send", frame),
      new Call(HttpMethod.POST, "/eventbus/000/evilsession3/xhr_streaming", null),
      new Call(HttpMethod.GET, "/eventbus/000/evilsession4/eventsource", null),
      new Call(HttpMethod.GET, "/eventbus/000/evilsession5/htmlfile?c=cb", null),
      new Call(HttpMethod.GET, "/eventbus/000/evilsession6/jsonp?c=cb", null),
      new Call(HttpMethod.POST, "/eventbus/000/evilsession6/jsonp_send", "d=" + frame),
      new Call(HttpMethod.GET, "/users/1", null),
      new Call(HttpMethod.GET, "/users?ids=1,2", null),
      new Call(HttpMethod.GET, "/store/users", null),
      new Call(HttpMethod.GET, "/store/users/1", null),
      new Call(HttpMethod.GET, "/sync", null),
      new Call(HttpMethod.POST, "/sync", "{\"ids\":[1]}"),
      new Call(HttpMethod.GET, "/metrics", null),
      new Call(HttpMethod.GET, "/health/ready", null),
      new Call(HttpMethod.GET, "/", null),
      new Call(HttpMethod.GET, "/no/such/route", null));
    for (Call call : calls) {
      assertRefused(exchange(call.method(), call.uri(), evil, call.body()), call.method() + " " + call.uri());
    }
    Map<String, String> preflight = Map.of("Origin", EVIL, "Access-Control-Request-Method", "GET",
      "Access-Control-Request-Headers", "authorization");
    assertRefused(exchange(HttpMethod.OPTIONS, "/users/1", preflight, null), "preflight of GET /users/1");
    assertRefused(exchange(HttpMethod.OPTIONS, "/eventbus/000/evilsession7/xhr_send", preflight, null),
      "preflight of xhr_send");
    assertEquals(List.of(), delivered, "nothing may reach the bus from another origin");
  }

  @Test
  @DisplayName("Origin: null (a sandboxed frame, a file:// page), an origin that is not one, and the service's own "
    + "host on another port or scheme are refused too")
  void nullAndLookalikeOriginsAreRefused() throws Exception {
    for (String origin : List.of("null", "not an origin", "http://127.0.0.1:" + (port + 1), "https://127.0.0.1:" + port,
      "http://127.0.0.1:" + port + ".evil.example", "http://app.example:3001", "https://app.example:3000")) {
      assertRefused(exchange(HttpMethod.GET, "/store/users", Map.of("Origin", origin), null), "Origin: " + origin);
      assertRefused(webSocket("/eventbus/websocket", Map.of("Origin", origin)), "raw WebSocket, Origin: " + origin);
    }
    assertEquals(List.of(), delivered);
  }

  @Test
  @DisplayName("a browser's cross-site load that carries no Origin (a <script> for the jsonp transport, an <iframe> of "
    + "iframe.html or htmlfile) is refused by its Sec-Fetch-* headers; a top-level navigation to / is not")
  void crossSiteLoadsWithoutOriginAreRefused() throws Exception {
    Map<String, String> script = Map.of("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "script");
    Map<String, String> frame = Map.of("Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe");
    assertRefused(exchange(HttpMethod.GET, "/eventbus/000/nosession1/jsonp?c=cb", script, null), "jsonp as a <script>");
    assertRefused(exchange(HttpMethod.GET, "/store/users", script, null), "/store/users as a <script>");
    assertRefused(exchange(HttpMethod.GET, "/eventbus/iframe.html", frame, null), "iframe.html in an <iframe>");
    assertRefused(exchange(HttpMethod.GET, "/eventbus/000/nosession2/htmlfile?c=cb", frame, null), "htmlfile in an <iframe>");

    Reply link = exchange(HttpMethod.GET, "/", Map.of("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate",
      "Sec-Fetch-Dest", "document", "Sec-Fetch-User", "?1"), null);
    assertEquals(200, link.status, "a link from another site opens the dashboard");
    assertTrue(link.body.contains("<title>usergate</title>"), link.body);
    assertEquals("frame-ancestors 'self'", link.headers.get("Content-Security-Policy"), "no other site may frame it");
    Reply sameOrigin = exchange(HttpMethod.GET, "/eventbus/iframe.html", Map.of("Sec-Fetch-Site", "same-origin",
      "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe"), null);
    assertEquals(200, sameOrigin.status, "the dashboard's own origin may frame iframe.html");
    assertEquals(List.of(), delivered);
  }

  @Test
  @DisplayName("without Origin (curl, Node, scripts/bus, other services) everything works as before, with no CORS headers")
  void withoutOriginNothingChanges() throws Exception {
    JsonObject reply = readOverWebSocket(Map.of());
    assertEquals(3, reply.getJsonObject("body").getJsonArray("users").size(), reply.encode());
    Reply user = exchange(HttpMethod.GET, "/users/1", Map.of(), null);
    assertEquals(200, user.status, user.body);
    assertEquals(1, new JsonObject(user.body).getInteger("id"));
    assertNoCorsHeaders(user.headers, "GET /users/1");
    Reply session = exchange(HttpMethod.POST, "/eventbus/000/plainsession/xhr", Map.of(), null);
    assertEquals(200, session.status);
    assertEquals("o\n", session.body);
    Reply sent = exchange(HttpMethod.POST, "/eventbus/000/plainsession/xhr_send", Map.of(),
      sendFrame("usergate.store.list", new JsonObject().put("limit", 10)));
    assertEquals(204, sent.status, sent.body);
    Reply polled = exchange(HttpMethod.POST, "/eventbus/000/plainsession/xhr", Map.of(), null);
    assertTrue(polled.body.startsWith("a["), polled.body);
    assertEquals(3, replyOf(polled.body).getJsonObject("body").getJsonArray("users").size(), polled.body);
  }

  @Test
  @DisplayName("a configured origin (http.allowedOrigins) works on the WebSocket, the XHR transport and the routes, "
    + "with CORS headers naming it, and its preflight is answered 204")
  void anAllowedOriginWorksWithCors() throws Exception {
    Map<String, String> app = Map.of("Origin", APP);
    JsonObject reply = readOverWebSocket(app);
    assertEquals(3, reply.getJsonObject("body").getJsonArray("users").size(), reply.encode());

    Reply user = exchange(HttpMethod.GET, "/users/1", app, null);
    assertEquals(200, user.status, user.body);
    assertEquals(APP, user.headers.get("Access-Control-Allow-Origin"));
    assertTrue(user.headers.get("Access-Control-Expose-Headers").contains(HeaderNames.HTTP_RATE_LIMIT_POLICY),
      "a page may read why it was refused and when to come back: " + user.headers);
    assertTrue(user.headers.get("Access-Control-Expose-Headers").contains(HeaderNames.HTTP_SOURCE),
      "the page may read " + HeaderNames.HTTP_SOURCE);

    Reply info = exchange(HttpMethod.GET, "/eventbus/info", app, null);
    assertEquals(200, info.status, info.body);
    assertEquals(APP, info.headers.get("Access-Control-Allow-Origin"));
    assertEquals("true", info.headers.get("Access-Control-Allow-Credentials"), "sockjs-client sends XHRs withCredentials");
    assertEquals(1, info.headers.getAll("Access-Control-Allow-Origin").size(), "CorsHandler's header only, not SockJS's too");
    Reply session = exchange(HttpMethod.POST, "/eventbus/000/appsession/xhr", app, null);
    assertEquals("o\n", session.body);
    assertEquals(204, exchange(HttpMethod.POST, "/eventbus/000/appsession/xhr_send", app,
      sendFrame("usergate.fetch.one", new JsonObject().put("id", 2))).status);
    Reply polled = exchange(HttpMethod.POST, "/eventbus/000/appsession/xhr", app, null);
    assertEquals(2, replyOf(polled.body).getJsonObject("body").getInteger("id"), polled.body);
    // What an allowed origin sends is recorded: the empty lists of the refused origins' tests mean something.
    assertTrue(delivered.contains(FetchAddresses.ONE), "recorded: " + delivered);

    Reply preflight = exchange(HttpMethod.OPTIONS, "/users/1", Map.of("Origin", APP, "Access-Control-Request-Method",
      "POST", "Access-Control-Request-Headers", "authorization,content-type"), null);
    assertEquals(204, preflight.status, preflight.body);
    assertEquals(APP, preflight.headers.get("Access-Control-Allow-Origin"));
    assertTrue(preflight.headers.get("Access-Control-Allow-Methods").contains("POST"), preflight.headers.toString());
    assertTrue(preflight.headers.get("Access-Control-Allow-Headers").toLowerCase().contains("authorization"),
      preflight.headers.toString());
    assertTrue(preflight.headers.get("Access-Control-Allow-Headers").toLowerCase().contains("x-api-key"),
      "a page may send its key as X-API-Key: " + preflight.headers);

    Reply other = exchange(HttpMethod.GET, "/store/users/1", Map.of("Origin", "http://localhost:5173"), null);
    assertEquals(200, other.status, "every origin of the list: " + other.body);
    assertEquals("http://localhost:5173", other.headers.get("Access-Control-Allow-Origin"));
  }

  @Test
  @DisplayName("the service's own origin (http + the request's Host, by whatever name it is reached) works, and gets no CORS headers")
  void theOwnOriginWorks() throws Exception {
    String own = "http://127.0.0.1:" + port;
    JsonObject reply = readOverWebSocket(Map.of("Origin", own));
    assertEquals(3, reply.getJsonObject("body").getJsonArray("users").size(), reply.encode());
    Reply user = exchange(HttpMethod.GET, "/users/1", Map.of("Origin", own), null);
    assertEquals(200, user.status, user.body);
    assertNull(user.headers.get("Access-Control-Allow-Origin"), "a same-origin request needs no CORS headers");

    // Reached by another name: the Host header says which, and the page's Origin matches it.
    Reply byName = exchange(HttpMethod.GET, "/store/users/1",
      Map.of("Host", "usergate.internal:" + port, "Origin", "http://usergate.internal:" + port), null);
    assertEquals(200, byName.status, byName.body);
    Reply defaultPort = exchange(HttpMethod.GET, "/store/users/1",
      Map.of("Host", "usergate.internal", "Origin", "http://usergate.internal"), null);
    assertEquals(200, defaultPort.status, "no port in Host means port 80 on both sides: " + defaultPort.body);
    // A page of another name on the same address is another origin.
    assertRefused(exchange(HttpMethod.GET, "/store/users/1",
      Map.of("Host", "usergate.internal:" + port, "Origin", own), null), "own address, other Host");
  }

  // --- helpers -------------------------------------------------------------------------------------

  /** One request: method, URI and body (or null). */
  record Call(HttpMethod method, String uri, String body) {
  }

  /** Status, headers and body of one exchange; for a streaming SockJS answer, its first chunk only. */
  record Reply(int status, MultiMap headers, String body) {
  }

  private static void assertRefused(Reply reply, String what) {
    assertEquals(403, reply.status, what + ": " + reply.body);
    assertTrue(reply.headers.get("Content-Type").startsWith("application/json"), what);
    JsonObject error = new JsonObject(reply.body).getJsonObject("error");
    assertNotNull(error, what + ": " + reply.body);
    assertEquals("FORBIDDEN", error.getString("code"), what);
    assertEquals(403, error.getInteger("status"), what);
    assertFalse(error.getString("message", "").isBlank(), what);
    assertNoCorsHeaders(reply.headers, what);
  }

  private static void assertNoCorsHeaders(MultiMap headers, String what) {
    for (Map.Entry<String, String> header : headers) {
      assertFalse(header.getKey().toLowerCase().startsWith("access-control-allow"), what + ": " + header);
    }
  }

  private Reply exchange(HttpMethod method, String uri, Map<String, String> headers, String body) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::putHeader);
    if (body != null && !headers.containsKey("Content-Type")) {
      options.putHeader("Content-Type", body.startsWith("d=") ? "application/x-www-form-urlencoded" : "text/plain");
    }
    // Nested, so that the body's handlers are set in the callback that hands over the response. Chained from
    // this (test) thread, the response's callback may be added after the response came, and then runs later
    // on the event loop, after the body has gone by: the body never completes (a loaded CI machine showed it).
    return http.request(options)
      .compose(request -> (body == null ? request.send() : request.send(body))
        .compose(response -> (response.statusCode() == 200 && isStreaming(uri) ? firstChunk(response)
          : response.body().map(Buffer::toString)).map(text -> new Reply(response.statusCode(), response.headers(), text))))
      // Timed out here, not in await, so that the failure names the call.
      .timeout(15, TimeUnit.SECONDS)
      .recover(failure -> Future.failedFuture(new AssertionError(method + " " + uri + " " + headers + " failed: " + failure, failure)))
      .await(20, TimeUnit.SECONDS);
  }

  private static boolean isStreaming(String uri) {
    return uri.contains("/xhr_streaming") || uri.contains("/eventsource") || uri.contains("/htmlfile");
  }

  /** Streaming SockJS answers (xhr_streaming, eventsource, htmlfile) never end: their first chunk is enough. */
  private static Future<String> firstChunk(HttpClientResponse response) {
    Promise<String> first = Promise.promise();
    response.handler(chunk -> first.tryComplete(chunk.toString()));
    response.endHandler(end -> first.tryComplete(""));
    response.exceptionHandler(first::tryFail);
    return first.future().andThen(done -> response.request().reset());
  }

  /** A WebSocket upgrade: the rejection as a Reply, or 101 and the socket closed. */
  private Reply webSocket(String uri, Map<String, String> headers) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::addHeader);
    return webSockets.connect(options)
      .compose(socket -> socket.close().map(closed -> new Reply(101, MultiMap.caseInsensitiveMultiMap(), "")))
      .recover(failure -> failure instanceof UpgradeRejectedException rejected
        ? Future.succeededFuture(new Reply(rejected.getStatus(), rejected.getHeaders(),
            rejected.getBody() == null ? "" : rejected.getBody().toString()))
        : Future.failedFuture(failure))
      .await(20, TimeUnit.SECONDS);
  }

  /** Over the raw WebSocket of the bridge: one usergate.store.list, its reply frame. */
  private JsonObject readOverWebSocket(Map<String, String> headers) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI("/eventbus/websocket");
    headers.forEach(options::addHeader);
    return webSockets.connect(options).compose(socket -> {
      Promise<JsonObject> reply = Promise.promise();
      // The bridge answers in binary frames.
      socket.handler(data -> reply.tryComplete(data.toJsonObject()));
      socket.exceptionHandler(reply::tryFail);
      return socket.writeTextMessage(new JsonObject().put("type", "send").put("address", StoreAddresses.LIST)
          .put("body", new JsonObject().put("limit", 10)).put("replyAddress", "reply-1").encode())
        .compose(written -> reply.future())
        .andThen(done -> socket.close());
    }).await(20, TimeUnit.SECONDS);
  }

  /** A SockJS frame (a JSON array of JSON strings) holding one bridge send. */
  private static String sendFrame(String address, JsonObject body) {
    String message = new JsonObject().put("type", "send").put("address", address).put("body", body)
      .put("replyAddress", "reply-1").encode();
    return new JsonArray().add(message).encode();
  }

  /** The first message of an {@code a[...]} SockJS frame. */
  private static JsonObject replyOf(String frame) {
    return new JsonObject(new JsonArray(frame.trim().substring(1)).getString(0));
  }
}
