package io.usergate.demo;

import io.usergate.config.Presets;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.ErrorJson;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Walks;
import io.usergate.web.HttpVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soft deletes ({@code mapping.active}, {@code sync.inactive}) with each preset that has a rule, against the demo
 * directory in its shape (Keycloak's enabled, SCIM's active, Okta's status, Graph's accountEnabled), over real
 * loopback HTTP and the suite's PostgreSQL: every path a user enters by, a GET, the bulk read of {@code ?ids=},
 * the sync's job batch and the walk's pages.
 */
class SoftDeletesAgainstDemoTest {

  private static final int USERS = 80;
  private Vertx vertx;
  private WebClient client;

  @BeforeEach
  void clean() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes", Sql.RESET_WALK);
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
  }

  /** The demo's inactive users: Okta's every 25th is DEPROVISIONED, the other shapes' every 17th is disabled. */
  private static boolean inactive(DemoShape shape, long n) {
    return shape == DemoShape.OKTA ? IdentityUsers.deprovisioned(n) : n % 17 == 0;
  }

  private static List<Long> inactiveNumbers(DemoShape shape) {
    return LongStream.rangeClosed(1, USERS).filter(n -> inactive(shape, n)).boxed().toList();
  }

  private HttpVerticle start(String preset, String inactive) throws Exception {
    DemoDirectoryVerticle demo = Stack.demo(vertx, USERS, new JsonObject().put("shape", (String) Presets.keys(preset).get("demo.shape")));
    Map<String, String> environment = TestConfig.presetEnvironment(preset, demo);
    environment.put("USERGATE_SYNC_INACTIVE", inactive);
    environment.put("USERGATE_SYNC_INTERVAL_MS", "3600000");
    return Stack.all(vertx, TestConfig.fromEnvironment(environment));
  }

  private HttpResponse<Buffer> get(HttpVerticle web, String path) throws Exception {
    return client.get(web.actualPort(), "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  private static String encoded(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A copy of user {@code id} in the mirror, as an earlier fetch left it while the user was active. */
  private static void mirrored(String id) {
    TestDatabase.execute("INSERT INTO users (id, name, profile, fetched_at) VALUES ('" + id + "', 'Earlier', "
      + "jsonb_build_object('id', '" + id + "', 'name', 'Earlier'), now() - interval '1 hour')");
  }

  private static long rows(String id) {
    return Sql.count("SELECT count(*) FROM users WHERE id = '" + id + "'");
  }

  private static long removals(String id) {
    return Sql.count("SELECT count(*) FROM user_changes WHERE user_id = '" + id + "' AND kind = 'removed'");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"keycloak", "scim", "okta", "entra"})
  @DisplayName("under sync.inactive remove, an inactive user is answered 404 saying why and removed from the mirror, "
    + "by a GET, by ?ids= (that id alone), by the sync's job batch and by the walk, each removal in the change feed")
  void removeEverywhere(String preset) throws Exception {
    DemoShape shape = DemoShape.parse((String) Presets.keys(preset).get("demo.shape"));
    List<Long> inactive = inactiveNumbers(shape);
    assertTrue(inactive.size() >= 3, "the demo has inactive users to test with: " + inactive);
    String byGet = DemoIds.id(shape, inactive.get(0));
    String byJob = DemoIds.id(shape, inactive.get(1));
    mirrored(byGet);
    mirrored(byJob);
    HttpVerticle web = start(preset, "remove");

    HttpResponse<Buffer> one = get(web, "/users/" + encoded(byGet));
    JsonObject error = ErrorJson.assertError(one, 404, "NOT_FOUND");
    assertTrue(error.getString("message").startsWith("the directory marks user " + byGet + " inactive"), error.encode());
    await().atMost(Duration.ofSeconds(10)).until(() -> rows(byGet) == 0);
    assertEquals(1, removals(byGet), "the removal is in the change feed");

    String active = DemoIds.id(shape, 1);
    HttpResponse<Buffer> settled = get(web, "/users?mode=settled&ids=" + encoded(active) + "," + encoded(byGet));
    assertEquals(200, settled.statusCode(), settled.bodyAsString());
    JsonArray results = settled.bodyAsJsonObject().getJsonArray("results");
    assertEquals(true, results.getJsonObject(0).getJsonObject("user").getBoolean("active"), results.encode());
    JsonObject failed = results.getJsonObject(1).getJsonObject("error");
    assertEquals("NOT_FOUND", failed.getString("code"), results.encode());
    assertTrue(failed.getString("message").contains("marks user " + byGet + " inactive"), failed.encode());

    Bus.call(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray().add(byJob)));
    await().atMost(Duration.ofSeconds(10)).until(() -> rows(byJob) == 0
      && Sql.count("SELECT count(*) FROM sync_jobs WHERE state = 'done'") == 1);
    assertEquals(1, removals(byJob), "the job batch's removal is in the change feed");

    String byWalk = DemoIds.id(shape, inactive.get(inactive.size() - 1));
    mirrored(byWalk);
    JsonObject walk = Walks.toTheEnd(vertx, Duration.ofSeconds(30));
    assertEquals("done", walk.getString("state"), walk.encode());
    assertEquals(USERS, walk.getLong("users"), "the inactive users count as listed: " + walk.encode());
    assertEquals(0L, walk.getLong("invalid"), walk.encode());
    assertEquals(0L, walk.getLong("removed"), "the sweep has nothing left to remove: " + walk.encode());
    assertEquals(USERS - inactive.size(), Sql.count("SELECT count(*) FROM users"), walk.encode());
    assertEquals(0, rows(byWalk));
    assertEquals(1, removals(byWalk), "the walk's page removed it, once");
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE profile->>'active' <> 'true'"), "every stored user is active");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"keycloak", "scim", "okta", "entra"})
  @DisplayName("under sync.inactive keep (the default), an inactive user is stored and served with \"active\": false, "
    + "every other with \"active\": true, by a GET, by ?ids= and by the walk")
  void keepMarksEveryUser(String preset) throws Exception {
    DemoShape shape = DemoShape.parse((String) Presets.keys(preset).get("demo.shape"));
    List<Long> inactive = inactiveNumbers(shape);
    String disabled = DemoIds.id(shape, inactive.get(0));
    String active = DemoIds.id(shape, 1);
    HttpVerticle web = start(preset, "keep");

    HttpResponse<Buffer> one = get(web, "/users/" + encoded(disabled));
    assertEquals(200, one.statusCode(), one.bodyAsString());
    assertEquals(false, one.bodyAsJsonObject().getBoolean("active"), one.bodyAsString());
    HttpResponse<Buffer> settled = get(web, "/users?mode=settled&ids=" + encoded(active) + "," + encoded(disabled));
    JsonArray results = settled.bodyAsJsonObject().getJsonArray("results");
    assertEquals(true, results.getJsonObject(0).getJsonObject("user").getBoolean("active"), results.encode());
    assertEquals(false, results.getJsonObject(1).getJsonObject("user").getBoolean("active"), results.encode());

    JsonObject walk = Walks.toTheEnd(vertx, Duration.ofSeconds(30));
    assertEquals("done", walk.getString("state"), walk.encode());
    assertEquals(USERS, Sql.count("SELECT count(*) FROM users"), walk.encode());
    assertEquals(inactive.size(), Sql.count("SELECT count(*) FROM users WHERE profile->>'active' = 'false'"), walk.encode());
    assertEquals(USERS - inactive.size(), Sql.count("SELECT count(*) FROM users WHERE profile->>'active' = 'true'"));
    assertEquals(0, Sql.count("SELECT count(*) FROM user_changes WHERE kind = 'removed'"), "keep removes nothing");
  }
}
