package io.usergate.web;

import io.usergate.config.Origins;
import io.usergate.web.OriginPolicy.Verdict;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The browser-origin rule on its own: the decision on headers, then the handler on a real router and server. */
@ExtendWith(VertxExtension.class)
class OriginPolicyTest {

  private static final HostAndPort OWN = HostAndPort.authority("127.0.0.1", 8080);
  private final OriginPolicy policy = new OriginPolicy("http://app.example:3000, HTTPS://Admin.Example:443");

  private Verdict verdict(HostAndPort host, String... headers) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) {
      map.add(headers[i], headers[i + 1]);
    }
    return policy.decide("http", host, map).verdict();
  }

  @Test
  @DisplayName("the allow-list is parsed into origins as browsers send them: lower case, no default port, no duplicates")
  void allowListIsNormalised() {
    assertEquals(List.of(), Origins.parseAllowList(""));
    assertEquals(List.of(), Origins.parseAllowList("  "));
    assertEquals(List.of("http://app.example:3000", "https://admin.example", "http://[::1]:8080", "http://10.0.0.5"),
      Origins.parseAllowList(" http://App.Example:3000 ,https://admin.example:443, http://[::1]:8080,"
        + "http://10.0.0.5:80,http://app.example:3000"));
    for (String bad : List.of("app.example", "http://", "http://app.example/", "http://app.example:3000/x", "*",
      "http://*.example", "ws://app.example", "http://u:p@app.example", "http://app.example?x", "http://app.example#x",
      "http://app.example:", "http://app.example:0", "http://app.example:65536", "a,,b", "null")) {
      assertThrows(IllegalArgumentException.class, () -> Origins.parseAllowList(bad), bad);
    }
  }

  @Test
  @DisplayName("no Origin passes (curl, Node, services, same-origin GETs); so does a user's own navigation and a "
    + "link from another site; any other load that another site started is refused")
  void withoutOrigin() {
    assertEquals(Verdict.PASS, verdict(OWN));
    assertEquals(Verdict.PASS, verdict(OWN, "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"));
    assertEquals(Verdict.PASS, verdict(OWN, "Sec-Fetch-Site", "none", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"));
    assertEquals(Verdict.PASS, verdict(OWN, "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"));
    assertEquals(Verdict.REFUSED, verdict(OWN, "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "script"));
    assertEquals(Verdict.REFUSED, verdict(OWN, "Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe"));
    assertEquals(Verdict.REFUSED, verdict(OWN, "Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image"));
  }

  @Test
  @DisplayName("the own origin is http + the request's Host, by whatever name and port it is reached")
  void ownOrigin() {
    assertEquals(Verdict.PASS, verdict(OWN, "Origin", "http://127.0.0.1:8080"));
    assertEquals(Verdict.PASS, verdict(HostAndPort.authority("Usergate.Internal", 9000), "Origin", "http://usergate.internal:9000"));
    assertEquals(Verdict.PASS, verdict(HostAndPort.authority("usergate.internal", -1), "Origin", "http://usergate.internal"));
    assertEquals(Verdict.PASS, verdict(HostAndPort.authority("usergate.internal", 80), "Origin", "http://usergate.internal"));
    assertEquals(Verdict.PASS, verdict(HostAndPort.authority("[::1]", 8080), "Origin", "http://[::1]:8080"));
    assertEquals(Verdict.REFUSED, verdict(OWN, "Origin", "http://127.0.0.1:8081"), "another port is another origin");
    assertEquals(Verdict.REFUSED, verdict(OWN, "Origin", "https://127.0.0.1:8080"), "another scheme is another origin");
    assertEquals(Verdict.REFUSED, verdict(OWN, "Origin", "http://localhost:8080"), "another name is another origin");
    assertEquals(Verdict.REFUSED, verdict(null, "Origin", "http://127.0.0.1:8080"), "no Host: no own origin");
  }

  @Test
  @DisplayName("a listed origin goes to CORS; any other, Origin: null and what is not an origin are refused, with a reason")
  void otherOrigins() {
    assertEquals(Verdict.CROSS_ORIGIN_ALLOWED, verdict(OWN, "Origin", "http://app.example:3000"));
    assertEquals(Verdict.CROSS_ORIGIN_ALLOWED, verdict(OWN, "Origin", "https://admin.example"));
    for (String origin : List.of("http://evil.example", "null", "", "file://", "http://app.example:3000/",
      "http://app.example:3000.evil.example", "http://app.example", "https://app.example:3000", "chrome-extension://abc")) {
      assertEquals(Verdict.REFUSED, verdict(OWN, "Origin", origin), origin);
    }
    String reason = policy.decide("http", OWN, MultiMap.caseInsensitiveMultiMap().add("Origin", "http://evil.example")).reason();
    assertTrue(reason.contains("\"http://evil.example\"") && reason.contains("http.allowedOrigins"), reason);
    String longOne = "http://" + "a".repeat(5000) + ".example";
    assertTrue(policy.decide("http", OWN, MultiMap.caseInsensitiveMultiMap().add("Origin", longOne)).reason().length() < 400,
      "a refusal quotes at most the start of a long origin");
  }

  @Test
  @DisplayName("as the first handler of a real router: 403 and the error JSON without CORS headers for another origin, "
    + "and the route never runs; CORS headers and a 204 preflight for a listed one; the own origin and no Origin pass bare")
  void onARealRouter(Vertx vertx) throws Exception {
    AtomicInteger reached = new AtomicInteger();
    Router router = Router.router(vertx);
    router.route().handler(policy);
    router.get("/thing").handler(ctx -> {
      reached.incrementAndGet();
      ctx.json(new JsonObject().put("ok", true));
    });
    router.route().failureHandler(WebErrors::handle);
    int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    HttpClient client = vertx.createHttpClient();

    Reply evil = send(client, port, HttpMethod.GET, Map.of("Origin", "http://evil.example"));
    assertEquals(403, evil.statusCode());
    assertEquals("application/json", evil.getHeader("Content-Type"));
    JsonObject error = evil.body().toJsonObject().getJsonObject("error");
    assertEquals("FORBIDDEN", error.getString("code"));
    assertEquals(403, error.getInteger("status"));
    assertNull(evil.getHeader("Access-Control-Allow-Origin"));
    assertNull(evil.getHeader("Access-Control-Allow-Credentials"));
    assertEquals(OriginPolicy.FRAME_ANCESTORS, evil.getHeader("Content-Security-Policy"));
    Reply evilPreflight = send(client, port, HttpMethod.OPTIONS,
      Map.of("Origin", "http://evil.example", "Access-Control-Request-Method", "GET"));
    assertEquals(403, evilPreflight.statusCode());
    assertNull(evilPreflight.getHeader("Access-Control-Allow-Origin"));
    assertEquals(0, reached.get(), "the route never ran for another origin");

    Reply app = send(client, port, HttpMethod.GET, Map.of("Origin", "http://app.example:3000"));
    assertEquals(200, app.statusCode());
    assertEquals("http://app.example:3000", app.getHeader("Access-Control-Allow-Origin"));
    assertEquals("true", app.getHeader("Access-Control-Allow-Credentials"));
    Reply preflight = send(client, port, HttpMethod.OPTIONS,
      Map.of("Origin", "http://app.example:3000", "Access-Control-Request-Method", "POST"));
    assertEquals(204, preflight.statusCode());
    assertEquals("http://app.example:3000", preflight.getHeader("Access-Control-Allow-Origin"));
    assertTrue(preflight.getHeader("Access-Control-Allow-Methods").contains("POST"));

    Reply own = send(client, port, HttpMethod.GET, Map.of("Origin", "http://127.0.0.1:" + port));
    assertEquals(200, own.statusCode());
    assertNull(own.getHeader("Access-Control-Allow-Origin"));
    Reply plain = send(client, port, HttpMethod.GET, Map.of());
    assertEquals(200, plain.statusCode());
    assertNull(plain.getHeader("Access-Control-Allow-Origin"));
    assertEquals(3, reached.get());
  }

  @Test
  @DisplayName("with an empty list no other origin is allowed: the CORS handler's \"*\" default never applies")
  void emptyListAllowsNoOtherOrigin() {
    OriginPolicy none = new OriginPolicy("");
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Origin", "http://app.example:3000");
    assertEquals(Verdict.REFUSED, none.decide("http", OWN, headers).verdict());
    assertEquals(Verdict.PASS, none.decide("http", OWN, MultiMap.caseInsensitiveMultiMap()
      .add("Origin", "http://127.0.0.1:8080")).verdict());
    assertEquals(Verdict.REFUSED, new OriginPolicy(null).decide("http", OWN, headers).verdict());
  }

  /** Status, headers and body of one exchange. */
  record Reply(int statusCode, MultiMap headers, Buffer body) {
    String getHeader(String name) {
      return headers.get(name);
    }
  }

  private static Reply send(HttpClient client, int port, HttpMethod method, Map<String, String> headers)
    throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI("/thing");
    headers.forEach(options::putHeader);
    // Nested, so the body handler is set in the callback that hands over the response: chained from a test
    // thread, that callback can run after the body has gone by, and the body never completes.
    return client.request(options)
      .compose(request -> request.send()
        .compose(response -> response.body().map(body -> new Reply(response.statusCode(), response.headers(), body))))
      .await(10, TimeUnit.SECONDS);
  }
}
