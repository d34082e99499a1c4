package io.usergate.directories;

import io.usergate.support.InProcessService;
import io.usergate.support.ScimServer;
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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * usergate in front of a real SCIM 2.0 server (SCIMMY on Express, {@link ScimServer}) with only the preset,
 * the base URL and the bearer token set: UUIDs as ids, names from displayName or the name's parts, the primary
 * email, bulk reads through the {@code filter}, the walk by {@code startIndex}/{@code count}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScimDirectoryTest {

  private static ScimServer scim;
  private static InProcessService service;
  private static List<JsonObject> users;

  @BeforeAll
  static void start() throws Exception {
    scim = ScimServer.get();
    scim.reset();
    users = scim.allUsers();
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", Sql.RESET_WALK);
    service = new InProcessService(Vertx.vertx());
    // What an operator sets: the preset, the server's base URL and its bearer token; the preset does the rest.
    JsonObject config = TestConfig.fromEnvironment(Map.of("USERGATE_UPSTREAM_PRESET", "scim",
      "USERGATE_UPSTREAM_BASE_URL", scim.baseUrl(),
      "USERGATE_UPSTREAM_HEADERS", new JsonObject().put("Authorization", scim.authorization()).encode(),
      "USERGATE_SYNC_INTERVAL_MS", "3600000"));
    service.deploy(config);
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    scim.reset();
  }

  private static JsonObject walkToTheEnd() throws Exception {
    return Walks.toTheEnd(service.vertx, Duration.ofSeconds(120));
  }

  /** What the preset's mapping makes of a SCIM user: displayName, else formatted, else given + family, else userName. */
  private static String expectedName(JsonObject user) {
    if (user.getString("displayName") != null && !user.getString("displayName").isBlank()) {
      return user.getString("displayName");
    }
    JsonObject name = user.getJsonObject("name", new JsonObject());
    if (name.getString("formatted") != null) {
      return name.getString("formatted");
    }
    return name.getString("givenName") + " " + name.getString("familyName");
  }

  private static String primaryEmail(JsonObject user) {
    JsonArray emails = user.getJsonArray("emails");
    for (int i = 0; i < emails.size(); i++) {
      if (Boolean.TRUE.equals(emails.getJsonObject(i).getBoolean("primary"))) {
        return emails.getJsonObject(i).getString("value");
      }
    }
    return emails.getJsonObject(0).getString("value");
  }

  @Test
  @Order(1)
  @DisplayName("a user by its id: the name and the primary email as the preset maps them, non-ASCII intact")
  void oneUser() throws Exception {
    JsonObject withoutDisplayName = users.stream().filter(user -> user.getString("displayName") == null).findFirst().orElseThrow();
    JsonObject primaryNotFirst = users.stream().filter(user -> !primaryEmail(user).equals(
      user.getJsonArray("emails").getJsonObject(0).getString("value"))).findFirst().orElseThrow();
    for (JsonObject expected : List.of(users.get(3), withoutDisplayName, primaryNotFirst)) {
      HttpResponse<Buffer> response = service.get("/users/" + expected.getString("id"));
      assertEquals(200, response.statusCode(), response.bodyAsString());
      JsonObject user = response.bodyAsJsonObject();
      assertEquals(expected.getString("id"), user.getString("id"));
      assertEquals(expectedName(expected), user.getString("name"), user.encode());
      assertEquals(primaryEmail(expected), user.getString("email"), user.encode());
      assertEquals(expected.getString("userName"), user.getString("username"));
    }
  }

  @Test
  @Order(2)
  @DisplayName("a fan-out of 100 ids is read in bulk through SCIM's filter (id eq \"a\" or id eq \"b\" ...), not one by one")
  void fanOutThroughTheFilter() throws Exception {
    JsonObject before = scim.requests();
    assertEquals(100, service.fanOut(users.subList(100, 200)).size());
    JsonObject after = scim.requests();
    assertEquals(before.getLong("single"), after.getLong("single"), "no user read alone: " + after.encode());
    long filtered = after.getLong("filtered") - before.getLong("filtered");
    assertTrue(filtered >= 2 && filtered <= 10, "100 ids in a few filtered reads (50 a read at most): " + filtered);
  }

  @Test
  @Order(3)
  @DisplayName("a full walk by startIndex/count stores every user; a user deleted on the server is removed by the next walk")
  void walkAndDeletion() throws Exception {
    JsonObject walk = walkToTheEnd();
    assertEquals("done", walk.getString("state"), walk.encode());
    assertEquals(ScimServer.SEEDED_USERS, walk.getLong("users"), walk.encode());
    assertEquals(0L, walk.getLong("invalid"), walk.encode());
    assertEquals(ScimServer.SEEDED_USERS, Sql.count("SELECT count(*) FROM users"));

    String gone = users.get(11).getString("id");
    scim.deleteUser(gone);
    JsonObject again = walkToTheEnd();
    assertEquals("done", again.getString("state"), again.encode());
    assertEquals(1L, again.getLong("removed"), again.encode());
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '" + gone + "'"));
    assertEquals(1, Sql.count("SELECT count(*) FROM user_changes WHERE user_id = '" + gone + "' AND kind = 'removed'"));
  }

  @Test
  @Order(4)
  @DisplayName("a user the server marks active: false is served with \"active\": false under keep; a service with "
    + "sync.inactive remove answers it 404 saying why and removes it from the mirror, the feed saying removed")
  void softDeleted() throws Exception {
    JsonObject created = scim.createUser(new JsonObject().put("userName", "inactive.ines").put("active", false)
      .put("name", new JsonObject().put("givenName", "Inès").put("familyName", "Inactive")));
    String id = created.getString("id");
    HttpResponse<Buffer> kept = service.get("/users/" + id);
    assertEquals(200, kept.statusCode(), kept.bodyAsString());
    assertEquals(false, kept.bodyAsJsonObject().getBoolean("active"), kept.bodyAsString());
    assertEquals(true, service.get("/users/" + users.get(3).getString("id")).bodyAsJsonObject().getBoolean("active"));
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '" + id + "'", 1, 10_000);

    InProcessService removing = new InProcessService(Vertx.vertx());
    try {
      removing.deploy(TestConfig.fromEnvironment(Map.of("USERGATE_UPSTREAM_PRESET", "scim",
        "USERGATE_UPSTREAM_BASE_URL", scim.baseUrl(),
        "USERGATE_UPSTREAM_HEADERS", new JsonObject().put("Authorization", scim.authorization()).encode(),
        "USERGATE_SYNC_INTERVAL_MS", "3600000", "USERGATE_SYNC_INACTIVE", "remove")));
      HttpResponse<Buffer> removed = removing.get("/users/" + id);
      assertEquals(404, removed.statusCode(), removed.bodyAsString());
      JsonObject error = removed.bodyAsJsonObject().getJsonObject("error");
      assertEquals("NOT_FOUND", error.getString("code"));
      assertEquals("the directory marks user " + id + " inactive (mapping.active /active), and sync.inactive is remove",
        error.getString("message"));
      Sql.awaitCount("SELECT count(*) FROM users WHERE id = '" + id + "'", 0, 10_000);
      assertEquals(1, Sql.count("SELECT count(*) FROM user_changes WHERE user_id = '" + id + "' AND kind = 'removed'"));
    } finally {
      removing.close();
    }
  }
}
