package io.usergate.bench;

import io.usergate.MainVerticle;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.TestIssuer;
import io.usergate.web.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 24's aim for JWT callers: hits of {@code GET /users/{id}} by a JWT caller (a verified token, kept: no
 * signature check per hit) against hits by no caller at all, both under wrk with a header of the same size (an
 * {@code Authorization: Bearer <JWT>}, and a header of another name with as many bytes), the web on every event
 * loop as main deploys it, against one node cache. The issuer is a loopback one ({@link TestIssuer}, RS256).
 */
final class JwtBench {

  private static final String AUDIENCE = "usergate";

  static void run(Report report) throws Exception {
    if (!WebBench.onPath("wrk")) {
      throw new IllegalStateException("wrk is not installed (scripts/bench installs it with apt-get)");
    }
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    Integer eventLoops = Integer.getInteger("bench.eventLoops");
    VertxOptions options = new VertxOptions().setPreferNativeTransport(!"false".equals(System.getProperty("bench.native")));
    Vertx vertx = Vertx.vertx(eventLoops == null ? options : options.setEventLoopPoolSize(eventLoops));
    try {
      TestIssuer.Key key = TestIssuer.rsa("bench");
      TestIssuer issuer = new TestIssuer().publish(key).deployOn(vertx);
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("demo").put("latencyMs", 0).put("jitterMs", 0).put("users", 10_000);
      config.getJsonObject("http").put("drainDelayMs", 0);
      config.getJsonObject("cache").put("memoryBytes", 64L * 1024 * 1024).put("freshForMs", 3_600_000L);
      Stack.demoUpstream(vertx, config);
      Stack.services(vertx, config);
      WebBench.preload(vertx);
      int instances = eventLoops == null ? VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE : eventLoops;
      int openPort = web(vertx, config, instances);
      JsonObject jwtConfig = config.copy();
      jwtConfig.getJsonObject("auth").put("jwtIssuer", issuer.issuer()).put("jwtAudience", AUDIENCE);
      int jwtPort = web(vertx, jwtConfig, instances);
      // Both webs share the node's cache: one warm-up makes every id a hit on both.
      WebBench.warm(vertx, openPort, "/users/");

      String token = TestIssuer.sign(vertx, key, issuer.claims(AUDIENCE, 3600).put("azp", "bench-client")
        .put("scope", "openid users:read"));
      String bearer = "Bearer " + token;
      // A header name as long as "Authorization", and a value as long: the same bytes on the wire.
      String padding = "x".repeat(bearer.length());
      List<WebBench.WrkResult> best = WebBench.bestOf(List.of(
        new WebBench.Target(jwtPort, "/users/", "{[\"Authorization\"] = \"" + bearer + "\"}"),
        new WebBench.Target(openPort, "/users/", "{[\"X-Padding-Abc\"] = \"" + padding + "\"}")));
      report.add("GET /users/{id}, 10,000 hot ids (cache hits), a JWT caller (RS256, " + token.length() + "-byte token, "
          + "verified once then kept), the web on " + instances + " event loops, p50 " + best.get(0).p50() + ", p99 "
          + best.get(0).p99() + ", errors " + best.get(0).errors(), best.get(0).requestsPerSecond(), "req/s",
        "no caller, a header of the same size, p50 " + best.get(1).p50() + ", p99 " + best.get(1).p99(),
        best.get(1).requestsPerSecond(), "≥ 0.9");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** The web verticle on every event loop, on a port of its own; returns the port. */
  private static int web(Vertx vertx, JsonObject config, int instances) throws Exception {
    int port = WebBench.freePort();
    JsonObject webConfig = MainVerticle.configFor(MainVerticle.WEB, config);
    webConfig.getJsonObject("http").put("port", port);
    vertx.deployVerticle(HttpVerticle::new, new DeploymentOptions().setConfig(webConfig).setInstances(instances))
      .await(30, TimeUnit.SECONDS);
    return port;
  }

  private JwtBench() {
  }
}
