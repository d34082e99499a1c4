package io.usergate.web;

import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.RestartablePostgres;
import io.usergate.support.TestConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ReadinessTest {

  private static RestartablePostgres postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = new RestartablePostgres("readiness");
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  private final FakeDirectory upstream = new FakeDirectory();

  /** The fake upstream, store, fetch and web on the restartable PostgreSQL. */
  private HttpVerticle deploy(Vertx vertx, Consumer<JsonObject> tweak) throws Exception {
    JsonObject config = TestConfig.forTests().put("pg", postgres.pg().put("connectionTimeoutMs", 1000));
    config.getJsonObject("health").put("timeoutMs", 1500);
    upstream.deployOn(vertx);
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl());
    tweak.accept(config);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new StoreVerticle(), options).await(30, TimeUnit.SECONDS);
    vertx.deployVerticle(new FetchVerticle(), options).await(30, TimeUnit.SECONDS);
    HttpVerticle web = new HttpVerticle();
    vertx.deployVerticle(web, options).await(30, TimeUnit.SECONDS);
    return web;
  }

  private static JsonObject check(JsonObject body, String id) {
    return body.getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(check -> id.equals(check.getString("id"))).findFirst().orElseThrow(() -> new AssertionError("no " + id + " check: " + body.encode()));
  }

  @Test
  @DisplayName("an open breaker keeps /health/ready 200 while PostgreSQL is up: the upstream check is UP and says "
    + "breaker OPEN, since when, degraded; shutting down is still 503")
  void openBreakerIsDegradedNotUnready(Vertx vertx) throws Exception {
    HttpVerticle web = deploy(vertx, config -> {
      config.getJsonObject("upstream").put("retries", 0).put("breakerMaxFailures", 2).put("breakerResetMs", 60_000);
      config.getJsonObject("http").put("drainDelayMs", 3000);
    });
    WebClient client = WebClient.create(vertx);
    HttpResponse<?> before = ready(client, web);
    assertEquals(200, before.statusCode());
    JsonObject closed = check(before.bodyAsJsonObject(), "upstream");
    assertEquals("UP", closed.getString("status"));
    assertEquals("CLOSED", closed.getJsonObject("data").getString("breaker"));

    upstream.script(5, FakeDirectory.Behaviour.FAIL, 0);
    Instant beforeOpening = Instant.now();
    for (int i = 0; i < 2; i++) {
      Bus.failure(vertx, FetchAddresses.ONE, new JsonObject().put("id", 5), "UPSTREAM_ERROR", 502);
    }
    HttpResponse<?> open = ready(client, web);
    JsonObject body = open.bodyAsJsonObject();
    assertEquals(200, open.statusCode(), body.encode());
    assertEquals("UP", body.getString("status"), body.encode());
    JsonObject upstreamCheck = check(body, "upstream");
    assertEquals("UP", upstreamCheck.getString("status"), body.encode());
    JsonObject data = upstreamCheck.getJsonObject("data");
    assertEquals("OPEN", data.getString("breaker"), body.encode());
    assertEquals(true, data.getBoolean("degraded"), body.encode());
    Instant since = Instant.parse(data.getString("since"));
    assertTrue(!since.isBefore(beforeOpening.minusMillis(1)) && !since.isAfter(Instant.now()), body.encode());
    assertEquals("UP", check(body, "postgresql").getString("status"));
    assertEquals(false, closed.getJsonObject("data").getBoolean("degraded"), "a closed breaker is not degraded");

    Future<Void> undeployed = vertx.undeploy(web.deploymentID());
    HttpResponse<?> stopping = await("readiness 503 once the shutdown began").atMost(Duration.ofSeconds(2))
      .pollInterval(Duration.ofMillis(20)).until(() -> ready(client, web), r -> r.statusCode() == 503);
    JsonObject stoppingBody = stopping.bodyAsJsonObject();
    assertEquals("DOWN", check(stoppingBody, "shutdown").getString("status"), stoppingBody.encode());
    assertEquals("UP", check(stoppingBody, "upstream").getString("status"), stoppingBody.encode());
    undeployed.await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("/health/ready follows PostgreSQL: 200 up, 503 with JSON naming the failed check when down, 200 again after, with no restart")
  void readinessFollowsPostgres(Vertx vertx) throws Exception {
    HttpVerticle web = deploy(vertx, config -> { });
    WebClient client = WebClient.create(vertx);

    assertEquals(200, ready(client, web).statusCode());
    assertEquals(200, live(client, web).statusCode());

    postgres.stop();
    HttpResponse<?> down = ready(client, web);
    assertEquals(503, down.statusCode());
    JsonObject body = down.bodyAsJsonObject();
    assertEquals("DOWN", body.getString("status"));
    JsonArray checks = body.getJsonArray("checks");
    JsonObject postgresql = checks.stream().map(JsonObject.class::cast)
      .filter(check -> "postgresql".equals(check.getString("id"))).findFirst().orElseThrow();
    assertEquals("DOWN", postgresql.getString("status"));
    assertTrue(checks.stream().map(JsonObject.class::cast).filter(check -> !"postgresql".equals(check.getString("id")))
      .allMatch(check -> "UP".equals(check.getString("status"))), "only the failed check is DOWN: " + body.encode());
    assertEquals(200, live(client, web).statusCode(), "liveness does not depend on PostgreSQL");

    postgres.start();
    // Each poll runs the health checks, PostgreSQL's included: every 200 ms is often enough.
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
      assertEquals(200, ready(client, web).statusCode(), "ready again once PostgreSQL is back, without restarting usergate"));
  }

  private static HttpResponse<?> ready(WebClient client, HttpVerticle web) throws Exception {
    return get(client, web, "/health/ready");
  }

  private static HttpResponse<?> live(WebClient client, HttpVerticle web) throws Exception {
    return get(client, web, "/health/live");
  }

  private static HttpResponse<?> get(WebClient client, HttpVerticle web, String path) throws Exception {
    Future<? extends HttpResponse<?>> response = client.get(web.actualPort(), "127.0.0.1", path).send();
    return response.await(20, TimeUnit.SECONDS);
  }
}
