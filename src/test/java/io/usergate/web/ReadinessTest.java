package io.usergate.web;

import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreVerticle;
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
import java.util.concurrent.TimeUnit;

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

  @Test
  @DisplayName("/health/ready follows PostgreSQL: 200 up, 503 with JSON naming the failed check when down, 200 again after, with no restart")
  void readinessFollowsPostgres(Vertx vertx) throws Exception {
    JsonObject config = TestConfig.forTests().put("pg", postgres.pg().put("connectionTimeoutMs", 1000));
    config.getJsonObject("health").put("timeoutMs", 1500);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new StoreVerticle(), options).await(30, TimeUnit.SECONDS);
    FakeDirectory upstream = new FakeDirectory();
    vertx.deployVerticle(upstream).await(10, TimeUnit.SECONDS);
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl());
    vertx.deployVerticle(new FetchVerticle(), options).await(30, TimeUnit.SECONDS);
    HttpVerticle web = new HttpVerticle();
    vertx.deployVerticle(web, options).await(30, TimeUnit.SECONDS);
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
