package io.usergate.demo;

import io.usergate.support.TestConfig;
import io.usergate.user.User;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

@ExtendWith(VertxExtension.class)
class DemoDirectoryVerticleTest {

  private static DemoDirectoryVerticle deploy(Vertx vertx, double errorRate) throws Exception {
    return deploy(vertx, errorRate, 0);
  }

  private static DemoDirectoryVerticle deploy(Vertx vertx, double errorRate, int maxRatePerSecond) throws Exception {
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("demo").put("port", 0).put("users", 100).put("latencyMs", 0).put("jitterMs", 0)
      .put("errorRate", errorRate).put("maxRatePerSecond", maxRatePerSecond);
    DemoDirectoryVerticle demo = new DemoDirectoryVerticle();
    vertx.deployVerticle(demo, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
    return demo;
  }

  @Test
  @DisplayName("serves valid users shaped like the public demo directories, the same every time, and 404 beyond the range")
  void servesGeneratedUsers(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, 0);
    WebClient client = WebClient.create(vertx);
    HttpResponse<?> first = client.get(demo.actualPort(), "127.0.0.1", "/users/42").send().await(5, TimeUnit.SECONDS);
    HttpResponse<?> again = client.get(demo.actualPort(), "127.0.0.1", "/users/42").send().await(5, TimeUnit.SECONDS);
    assertEquals(200, first.statusCode());
    JsonObject user = first.bodyAsJsonObject();
    assertEquals(user, again.bodyAsJsonObject());
    assertNull(User.problemWith(user, 42L));
    for (String field : new String[] {"username", "email", "phone", "website"}) {
      assertNotNull(user.getString(field), field);
    }
    assertNotNull(user.getJsonObject("address").getJsonObject("geo").getString("lat"));
    assertNotNull(user.getJsonObject("company").getString("catchPhrase"));
    assertEquals(404, client.get(demo.actualPort(), "127.0.0.1", "/users/101").send().await(5, TimeUnit.SECONDS).statusCode());
    assertEquals(404, client.get(demo.actualPort(), "127.0.0.1", "/users/abc").send().await(5, TimeUnit.SECONDS).statusCode());
  }

  @Test
  @DisplayName("the bulk endpoint answers ?id=1&id=2 and ?ids=1,2 with an array of the users that exist")
  void bulk(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, 0);
    WebClient client = WebClient.create(vertx);
    HttpResponse<?> repeated = client.get(demo.actualPort(), "127.0.0.1", "/users?id=3&id=1&id=500&id=x").send().await(5, TimeUnit.SECONDS);
    assertEquals(200, repeated.statusCode());
    assertEquals(new io.vertx.core.json.JsonArray().add(DemoDirectoryVerticle.user(3)).add(DemoDirectoryVerticle.user(1)),
      repeated.bodyAsJsonArray());
    HttpResponse<?> listed = client.get(demo.actualPort(), "127.0.0.1", "/users?ids=7,8").send().await(5, TimeUnit.SECONDS);
    assertEquals(2, listed.bodyAsJsonArray().size());
  }

  @Test
  @DisplayName("beyond demo.maxRatePerSecond in a second the demo answers 429 with Retry-After, like a rate-limited directory")
  void rateLimited(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, 0, 5);
    WebClient client = WebClient.create(vertx);
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<?> response = client.get(demo.actualPort(), "127.0.0.1", "/users/1").send().await(5, TimeUnit.SECONDS);
      if (response.statusCode() == 429) {
        limited++;
        assertEquals("1", response.getHeader("Retry-After"));
      } else {
        ok++;
      }
    }
    // 20 quick requests span one second, or at most two: at most 5 served in each.
    assertEquals(20, ok + limited);
    org.junit.jupiter.api.Assertions.assertTrue(ok >= 5 && ok <= 10, "served " + ok);
    assertEquals(limited, demo.refused());
  }

  @Test
  @DisplayName("with demo.errorRate 1 every answer is a 503")
  void failsOnPurpose(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, 1.0);
    assertEquals(503, WebClient.create(vertx).get(demo.actualPort(), "127.0.0.1", "/users/1").send()
      .await(5, TimeUnit.SECONDS).statusCode());
  }
}
