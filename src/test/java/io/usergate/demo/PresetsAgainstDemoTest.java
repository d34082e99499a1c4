package io.usergate.demo;

import io.usergate.config.Configuration;
import io.usergate.config.Presets;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Walks;
import io.usergate.web.HttpVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each preset, with only {@code upstream.baseUrl} and its credentials set (through the environment, as an operator
 * sets them), against the demo directory in its shape, over real loopback HTTP: one user served and mapped, and a
 * fan-out of 100 ids answered whole, through the bulk read where the preset has one.
 */
class PresetsAgainstDemoTest {

  private static final int USERS = 300;
  private Vertx vertx;

  @BeforeEach
  void clean() {
    TestDatabase.execute("TRUNCATE users");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
  }

  private static String id(DemoShape shape, long n) {
    return shape.identity() ? DemoIds.id(shape, n) : Long.toString(n);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jsonplaceholder", "dummyjson", "keycloak", "scim", "okta", "entra", "auth0"})
  @DisplayName("a preset with only the base URL and credentials serves a user, mapped, and answers a fan-out of 100 ids whole")
  void servesUsers(String preset) throws Exception {
    String shapeName = (String) Presets.keys(preset).get("demo.shape");
    DemoShape shape = DemoShape.parse(shapeName);
    JsonObject demoConfig = TestConfig.forTests();
    demoConfig.getJsonObject("demo").put("shape", shapeName).put("users", USERS).put("latencyMs", 0).put("jitterMs", 0);
    DemoDirectoryVerticle demo = Stack.demoUpstream(vertx, demoConfig);

    Configuration.Resolved resolved = Configuration.load(new Configuration.Sources(null, null, TestConfig.presetEnvironment(preset, demo), Map.of()));
    assertTrue(resolved.table().contains("preset " + preset), resolved.table());
    JsonObject config = resolved.config();
    JsonObject tests = TestConfig.forTests();
    for (String section : List.of("pg", "http", "cache")) {
      config.put(section, tests.getJsonObject(section));
    }
    HttpVerticle web = Stack.all(vertx, config);
    WebClient client = WebClient.create(vertx);

    // User 4: SCIM's primary email is its second; user 3: SCIM has no displayName; user 4: Graph has no mail.
    for (long n : new long[] {3, 4, 7}) {
      String id = id(shape, n);
      HttpResponse<?> one = client.get(web.actualPort(), "127.0.0.1", "/users/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"))
        .send().await(10, TimeUnit.SECONDS);
      assertEquals(200, one.statusCode(), preset + " " + id + ": " + one.bodyAsString());
      JsonObject user = one.bodyAsJsonObject();
      assertEquals(id, String.valueOf(user.getValue("id")), user.encode());
      String first = shape.identity() ? IdentityUsers.first(n) : null;
      if (first != null) {
        assertEquals(first + " " + IdentityUsers.last(n), user.getString("name"), preset + ": " + user.encode());
        assertFalse(user.getString("username", "").isBlank(), preset + ": " + user.encode());
      } else {
        assertFalse(user.getString("name").isBlank(), user.encode());
      }
      if (shape == DemoShape.SCIM) {
        assertEquals(IdentityUsers.login(n) + "@work.scim.demo.example", user.getString("email"), "the primary email: " + user.encode());
      }
      if (shape == DemoShape.ENTRA) {
        assertTrue(user.containsKey("accountEnabled"), "$select asks for accountEnabled: " + user.encode());
      }
      if (shape == DemoShape.DUMMYJSON) {
        assertFalse(user.containsKey("password"), user.encode());
      }
    }

    long before = demo.requests();
    List<String> ids = new ArrayList<>();
    for (long n = 101; n <= 200; n++) {
      ids.add(id(shape, n));
    }
    HttpResponse<?> many = client.post(web.actualPort(), "127.0.0.1", "/users/batch")
      .sendJsonObject(new JsonObject().put("ids", new JsonArray(new ArrayList<>(ids))).put("mode", "all")).await(30, TimeUnit.SECONDS);
    assertEquals(200, many.statusCode(), preset + ": " + many.bodyAsString());
    JsonArray users = many.bodyAsJsonObject().getJsonArray("users");
    Set<String> served = users.stream().map(user -> String.valueOf(((JsonObject) user).getValue("id"))).collect(Collectors.toSet());
    assertEquals(Set.copyOf(ids), served, preset);
    long calls = demo.requests() - before;
    boolean bulk = !((String) config.getJsonObject("upstream").getString("batchPath")).isBlank();
    if (bulk) {
      // SCIM 50 ids a call, Okta 20, Graph 15, JSONPlaceholder 100: a handful of calls, not one per id.
      assertTrue(calls <= 15, preset + ": " + calls + " calls for 100 ids through the bulk read");
    } else {
      assertTrue(calls >= 100, preset + ": " + calls + " calls: one per id");
    }
    if (demo.credentials().containsKey("clientId")) {
      assertTrue(demo.tokensIssued() >= 1, "the calls carried the demo's tokens");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jsonplaceholder", "dummyjson", "keycloak", "scim", "okta", "entra", "auth0"})
  @DisplayName("a preset with only the base URL and credentials walks the whole directory, page after page as the directory pages it")
  void walksTheDirectory(String preset) throws Exception {
    TestDatabase.execute(Sql.RESET_WALK);
    JsonObject demoConfig = TestConfig.forTests();
    demoConfig.getJsonObject("demo").put("shape", (String) Presets.keys(preset).get("demo.shape")).put("users", USERS)
      .put("latencyMs", 0).put("jitterMs", 0);
    DemoDirectoryVerticle demo = Stack.demoUpstream(vertx, demoConfig);
    Map<String, String> environment = TestConfig.presetEnvironment(preset, demo);
    environment.put("USERGATE_SYNC_INTERVAL_MS", "3600000");
    Stack.services(vertx, TestConfig.fromEnvironment(environment));

    JsonObject walk = Walks.toTheEnd(vertx, Duration.ofSeconds(60));
    assertEquals("done", walk.getString("state"), preset + ": " + walk.encode());
    assertEquals(USERS, walk.getLong("users"), preset + ": " + walk.encode());
    assertEquals(0L, walk.getLong("invalid"), preset + ": " + walk.encode());
    assertEquals(USERS, Sql.count("SELECT count(*) FROM users"), preset);
  }
}
