package io.usergate.directories;

import io.usergate.fetch.FetchAddresses;
import io.usergate.support.Bus;
import io.usergate.support.InProcessService;
import io.usergate.support.KeycloakRealm;
import io.usergate.support.KeycloakServer;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Walks;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * usergate in front of a real Keycloak 26 (the suite's, {@link KeycloakServer}): its admin REST API as the
 * directory, UUIDs as ids, users with non-ASCII names, paging by {@code first}/{@code max}, client-credentials
 * tokens of five seconds ({@link KeycloakRealm#SHORT_LIVED_CLIENT}), so that several expire during the test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakDirectoryTest {

  private static KeycloakServer keycloak;
  private static InProcessService service;
  /** The realm's users, as Keycloak lists them to its admin. */
  private static List<JsonObject> users;

  @BeforeAll
  static void start() throws Exception {
    keycloak = KeycloakServer.shared();
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", Sql.RESET_WALK);
    service = new InProcessService(Vertx.vertx());
    users = adminList();
    // What an operator sets: the preset, the realm's admin URL and the client's credentials; the preset does the rest.
    JsonObject config = TestConfig.fromEnvironment(Map.of("USERGATE_UPSTREAM_PRESET", "keycloak",
      "USERGATE_UPSTREAM_BASE_URL", keycloak.adminUrl(), "USERGATE_UPSTREAM_CLIENT_ID", KeycloakRealm.SHORT_LIVED_CLIENT,
      "USERGATE_UPSTREAM_CLIENT_SECRET", KeycloakRealm.SHORT_LIVED_SECRET, "USERGATE_SYNC_INTERVAL_MS", "3600000"));
    assertEquals(keycloak.tokenUrl(), config.getJsonObject("upstream").getString("tokenUrl"), "derived by the preset");
    service.deploy(config);
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
  }

  /** Every user of the realm, paged by the admin API itself. */
  private static List<JsonObject> adminList() throws Exception {
    String token = keycloak.adminToken(service.client).await(30, TimeUnit.SECONDS);
    List<JsonObject> all = new ArrayList<>();
    for (int first = 0; ; first += 100) {
      JsonArray page = service.client.getAbs(keycloak.adminUrl() + "/users?first=" + first + "&max=100").bearerTokenAuthentication(token)
        .send().await(30, TimeUnit.SECONDS).bodyAsJsonArray();
      page.forEach(user -> all.add((JsonObject) user));
      if (page.size() < 100) {
        return all;
      }
    }
  }

  private static JsonObject walkToTheEnd() throws Exception {
    return Walks.toTheEnd(service.vertx, Duration.ofSeconds(120));
  }

  private static JsonObject token() throws Exception {
    return Bus.call(service.vertx, FetchAddresses.STATUS, new JsonObject()).getJsonObject("token");
  }

  @Test
  @Order(1)
  @DisplayName("a user by its UUID: mapped by the preset (first and last name, non-ASCII intact), through a token of the realm")
  void oneUser() throws Exception {
    assertEquals(KeycloakRealm.USERS, users.size());
    JsonObject expected = users.get(41);
    HttpResponse<Buffer> response = service.get("/users/" + expected.getString("id"));
    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonObject user = response.bodyAsJsonObject();
    assertEquals(expected.getString("id"), user.getString("id"));
    assertEquals(expected.getString("firstName") + " " + expected.getString("lastName"), user.getString("name"));
    assertEquals(expected.getString("username"), user.getString("username"));
    assertEquals(404, service.get("/users/00000000-0000-0000-0000-000000000000").statusCode());
  }

  @Test
  @Order(2)
  @DisplayName("a fan-out of 100 ids is answered in full and in order")
  void fanOut() throws Exception {
    assertEquals(100, service.fanOut(users.subList(100, 200)).size());
  }

  @Test
  @Order(3)
  @DisplayName("tokens expire while it works and are renewed before they do: never a 401 from Keycloak")
  void tokensRenewed() throws Exception {
    long before = token().getLong("requests");
    // Five-second tokens, renewed a second into their life: fetch live until a new token has been asked for twice.
    int fetched = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (token().getLong("requests") < before + 2 && System.nanoTime() < deadline) {
      JsonObject user = users.get(fetched % users.size());
      HttpResponse<Buffer> response = service.client.get(service.port(), "127.0.0.1", "/users/" + user.getString("id"))
        .putHeader("Cache-Control", "no-cache").send().await(30, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode(), response.bodyAsString());
      fetched++;
    }
    JsonObject token = token();
    assertTrue(token.getLong("requests") >= before + 2, "new tokens were asked for while it worked: " + token.encode());
    assertEquals(0L, token.getLong("refused"), "renewed before expiry, not after a 401: " + token.encode());
  }

  @Test
  @Order(4)
  @DisplayName("a full walk stores the whole realm; a user deleted in Keycloak is removed by the next walk, in the change feed")
  void walkAndDeletion() throws Exception {
    // A user of this test's own, so that the realm the other tests share stays as seeded.
    String adminToken = keycloak.adminToken(service.client).await(30, TimeUnit.SECONDS);
    String gone = keycloak.createUser(service.client, new JsonObject().put("username", "walk-leaver").put("enabled", true)
      .put("firstName", "Øyvind").put("lastName", "Leaver").put("email", "walk-leaver@example.test")).await(30, TimeUnit.SECONDS);
    try {
      JsonObject walk = walkToTheEnd();
      assertEquals("done", walk.getString("state"), walk.encode());
      assertEquals(KeycloakRealm.USERS + 1, walk.getLong("users"));
      assertEquals(KeycloakRealm.USERS + 1, Sql.count("SELECT count(*) FROM users"));
      assertEquals(1, Sql.count("SELECT count(*) FROM users WHERE id = '" + gone + "' AND name = 'Øyvind Leaver'"));
    } finally {
      assertEquals(204, service.client.deleteAbs(keycloak.adminUrl() + "/users/" + gone).bearerTokenAuthentication(adminToken)
        .send().await(30, TimeUnit.SECONDS).statusCode());
    }
    JsonObject again = walkToTheEnd();
    assertEquals("done", again.getString("state"), again.encode());
    assertEquals(1L, again.getLong("removed"), again.encode());
    assertEquals(KeycloakRealm.USERS, Sql.count("SELECT count(*) FROM users"));
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '" + gone + "'"));
    assertEquals(1, Sql.count("SELECT count(*) FROM user_changes WHERE user_id = '" + gone + "' AND kind = 'removed'"));
  }
}
