package io.usergate.demo;

import io.usergate.support.Stack;
import io.usergate.user.User;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
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
    return Stack.demo(vertx, 100, new JsonObject().put("errorRate", errorRate).put("maxRatePerSecond", maxRatePerSecond));
  }

  @Test
  @DisplayName("serves valid users shaped like the public demo directories, the same every time, and 404 beyond the range")
  void servesGeneratedUsers(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, 0);
    HttpResponse<?> first = send(vertx, demo, "/users/42");
    HttpResponse<?> again = send(vertx, demo, "/users/42");
    assertEquals(200, first.statusCode());
    JsonObject user = first.bodyAsJsonObject();
    assertEquals(user, again.bodyAsJsonObject());
    assertNull(User.problemWith(user, "42"));
    for (String field : new String[] {"username", "email", "phone", "website"}) {
      assertNotNull(user.getString(field), field);
    }
    assertNotNull(user.getJsonObject("address").getJsonObject("geo").getString("lat"));
    assertNotNull(user.getJsonObject("company").getString("catchPhrase"));
    assertEquals(404, send(vertx, demo, "/users/101").statusCode());
    assertEquals(404, send(vertx, demo, "/users/abc").statusCode());
  }

  @Test
  @DisplayName("the bulk endpoint answers ?id=1&id=2 and ?ids=1,2 with an array of the users that exist")
  void bulk(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, 0);
    HttpResponse<?> repeated = send(vertx, demo, "/users?id=3&id=1&id=500&id=x");
    assertEquals(200, repeated.statusCode());
    assertEquals(new JsonArray().add(DemoDirectoryVerticle.user(3)).add(DemoDirectoryVerticle.user(1)),
      repeated.bodyAsJsonArray());
    HttpResponse<?> listed = send(vertx, demo, "/users?ids=7,8");
    assertEquals(2, listed.bodyAsJsonArray().size());
    // A page of the list, json-server style; /users with nothing asked stays the bulk endpoint asked for nothing.
    HttpResponse<?> page = send(vertx, demo, "/users?_page=3&_limit=10");
    assertEquals(21, page.bodyAsJsonArray().getJsonObject(0).getInteger("id"));
    assertEquals(10, page.bodyAsJsonArray().size());
    assertEquals(0, send(vertx, demo, "/users").bodyAsJsonArray().size());
  }

  @Test
  @DisplayName("beyond demo.maxRatePerSecond in a second the demo answers 429 with Retry-After, like a rate-limited directory")
  void rateLimited(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, 0, 5);
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<?> response = send(vertx, demo, "/users/1");
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
    assertEquals(503, send(vertx, demo, "/users/1").statusCode());
  }

  private static DemoDirectoryVerticle deploy(Vertx vertx, String shape, JsonObject requiredHeaders) throws Exception {
    return Stack.demo(vertx, 100, new JsonObject().put("shape", shape).put("requiredHeaders", requiredHeaders));
  }

  /** A GET of {@code uri} from the demo directory, without credentials. */
  private static HttpResponse<Buffer> send(Vertx vertx, DemoDirectoryVerticle demo, String uri) throws Exception {
    return WebClient.create(vertx).get(demo.actualPort(), "127.0.0.1", uri).send().await(5, TimeUnit.SECONDS);
  }

  private static JsonObject get(Vertx vertx, DemoDirectoryVerticle demo, String uri) throws Exception {
    HttpResponse<?> response = send(vertx, demo, uri);
    assertEquals(200, response.statusCode(), uri);
    return response.bodyAsJsonObject();
  }

  @Test
  @DisplayName("demo.shape dummyjson: firstName/lastName and no name, sensitive fields; ?limit=&skip= pages as {users, total, skip, limit}")
  void dummyJsonShape(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, "dummyjson", new JsonObject());
    JsonObject user = get(vertx, demo, "/users/5");
    assertEquals(DemoShape.DUMMYJSON.user(5), user);
    assertNull(user.getString("name"));
    for (String field : new String[] {"firstName", "lastName", "password", "ssn"}) {
      assertNotNull(user.getString(field), field);
    }
    assertNotNull(user.getJsonObject("bank").getString("cardNumber"));
    assertNotNull(user.getJsonObject("crypto").getString("wallet"));
    JsonObject page = get(vertx, demo, "/users?limit=30&skip=90");
    assertEquals(100, page.getInteger("total"));
    assertEquals(90, page.getInteger("skip"));
    assertEquals(10, page.getJsonArray("users").size(), "the last page holds what is left");
    assertEquals(91, page.getJsonArray("users").getJsonObject(0).getInteger("id"));
    assertEquals(30, get(vertx, demo, "/users").getJsonArray("users").size(), "30 a page when the request names no limit");
    assertEquals(2, get(vertx, demo, "/users?id=1&id=2").getJsonArray("users").size(), "the bulk endpoint in the same shape");
    assertEquals(404, send(vertx, demo, "/users/101").statusCode());
  }

  @Test
  @DisplayName("demo.shape enveloped: {data, support}; ?page=&per_page= pages as reqres does; demo.requiredHeaders: 401 without the key")
  void envelopedShapeWithKey(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, "enveloped", new JsonObject().put("x-api-key", "demo-key"));
    WebClient client = WebClient.create(vertx);
    HttpResponse<?> refused = send(vertx, demo, "/users/2");
    assertEquals(401, refused.statusCode());
    assertEquals("missing or wrong x-api-key", refused.bodyAsJsonObject().getString("error"));
    assertEquals(401, client.get(demo.actualPort(), "127.0.0.1", "/users/2").putHeader("x-api-key", "demo-kez").send()
      .await(5, TimeUnit.SECONDS).statusCode());
    JsonObject answer = client.get(demo.actualPort(), "127.0.0.1", "/users/2").putHeader("X-Api-Key", "demo-key").send()
      .await(5, TimeUnit.SECONDS).bodyAsJsonObject();
    assertEquals(DemoShape.ENVELOPED.user(2), answer.getJsonObject("data"));
    assertNotNull(answer.getJsonObject("support"));
    JsonObject page = client.get(demo.actualPort(), "127.0.0.1", "/users?page=2&per_page=6").putHeader("x-api-key", "demo-key").send()
      .await(5, TimeUnit.SECONDS).bodyAsJsonObject();
    assertEquals(2, page.getInteger("page"));
    assertEquals(17, page.getInteger("total_pages"));
    assertEquals(7, page.getJsonArray("data").getJsonObject(0).getInteger("id"));
  }
}
