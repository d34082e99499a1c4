package io.usergate.store;

import io.usergate.HeaderNames;
import io.usergate.support.Bus;
import io.usergate.support.RestartablePostgres;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Users;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's addresses over a real event bus, on a real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class StoreVerticleTest {

  @BeforeEach
  void deployOnCleanTable(Vertx vertx) throws Exception {
    TestDatabase.execute("TRUNCATE users");
    vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(TestConfig.forTests()))
      .await(30, TimeUnit.SECONDS);
  }

  private static JsonObject upsert(Vertx vertx, JsonArray users, String fetchedAt) throws Exception {
    JsonObject body = new JsonObject().put("users", users);
    if (fetchedAt != null) {
      body.put("fetchedAt", fetchedAt);
    }
    return Bus.call(vertx, StoreAddresses.UPSERT, body);
  }

  private static long rows(String where) {
    JsonObject pg = TestDatabase.pg();
    try (var connection = DriverManager.getConnection(Database.jdbcUrl(pg, "usergate"), pg.getString("user"), pg.getString("password"));
         var result = connection.createStatement().executeQuery("SELECT count(*) FROM users WHERE " + where)) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("the JSONPlaceholder users are stored whole and read back as they came, with their fetch time")
  void storesAndReadsTheFixture(Vertx vertx) throws Exception {
    JsonArray fixture = Users.jsonPlaceholder();
    assertEquals(10, upsert(vertx, fixture, "2026-11-24T06:00:00Z").getInteger("upserted"));
    Message<JsonObject> reply = Bus.request(vertx, StoreAddresses.GET, new JsonObject().put("id", 1));
    assertEquals(fixture.getJsonObject(0), reply.body());
    assertEquals("2026-11-24T06:00:00Z", reply.headers().get(HeaderNames.BUS_FETCHED_AT));
    assertEquals(1, rows("id = '1' AND username = 'Bret' AND email = 'Sincere@april.biz' AND name = 'Leanne Graham'"));
  }

  @Test
  @DisplayName("getMany reads the stored copies of many ids in one statement, with their fetch times; missing ids are absent")
  void getMany(Vertx vertx) throws Exception {
    JsonArray fixture = Users.jsonPlaceholder();
    upsert(vertx, fixture, "2026-11-24T06:00:00Z");
    JsonArray users = Bus.call(vertx, StoreAddresses.GET_MANY, new JsonObject().put("ids", new JsonArray().add(3).add(1).add(999)))
      .getJsonArray("users");
    assertEquals(2, users.size(), users.encode());
    Map<Long, JsonObject> byId = new HashMap<>();
    users.forEach(entry -> byId.put(((JsonObject) entry).getJsonObject("user").getLong("id"), (JsonObject) entry));
    assertEquals(fixture.getJsonObject(2), byId.get(3L).getJsonObject("user"));
    assertEquals("2026-11-24T06:00:00Z", byId.get(1L).getString("fetchedAt"));
    assertEquals(0, Bus.call(vertx, StoreAddresses.GET_MANY, new JsonObject().put("ids", new JsonArray())).getJsonArray("users").size());
    Bus.failure(vertx, StoreAddresses.GET_MANY, new JsonObject().put("ids", new JsonArray().add("1\u0007")), "BAD_REQUEST", 400);
  }

  @Test
  @DisplayName("get of a user the store does not have is NOT_FOUND, naming the id")
  void getMissing(Vertx vertx) throws Exception {
    JsonObject error = Bus.failure(vertx, StoreAddresses.GET, new JsonObject().put("id", 424242), "NOT_FOUND", 404);
    assertEquals(424242L, error.getLong("id"));
  }

  @Test
  @DisplayName("10,000 users in one call; the same batch twice gives the same rows")
  void bigBatchTwice(Vertx vertx) throws Exception {
    JsonArray users = Users.range(1, 10_000, "v1");
    assertEquals(10_000, upsert(vertx, users, "2026-01-01T00:00:00Z").getInteger("upserted"));
    assertEquals(10_000, upsert(vertx, users, "2026-01-01T00:00:00Z").getInteger("upserted"));
    assertEquals(10_000, rows("profile->>'version' = 'v1'"));
    assertEquals(users.getJsonObject(4321), Bus.call(vertx, StoreAddresses.GET, new JsonObject().put("id", 4322)));
  }

  @Test
  @DisplayName("two concurrent overlapping batches, in opposite orders, finish without a deadlock")
  void concurrentOverlappingBatches(Vertx vertx) throws Exception {
    for (int round = 0; round < 5; round++) {
      JsonArray forward = Users.range(1, 3000, "a" + round);
      JsonArray backward = new JsonArray();
      Users.range(1500, 4500, "b" + round).forEach(user -> backward.add(0, user));
      Future<Message<JsonObject>> first = vertx.eventBus().request(StoreAddresses.UPSERT, new JsonObject().put("users", forward));
      Future<Message<JsonObject>> second = vertx.eventBus().request(StoreAddresses.UPSERT, new JsonObject().put("users", backward));
      Future.all(first, second).await(30, TimeUnit.SECONDS);
    }
    assertEquals(4500, rows("true"));
  }

  @Test
  @DisplayName("an older fetch does not overwrite a newer one; a newer one does; a duplicate id in a batch is written once")
  void olderFetchDoesNotOverwrite(Vertx vertx) throws Exception {
    upsert(vertx, new JsonArray().add(Users.generated(5, "new")), "2026-06-01T00:00:00Z");
    assertEquals(0, upsert(vertx, new JsonArray().add(Users.generated(5, "old")), "2026-05-01T00:00:00Z").getInteger("upserted"));
    assertEquals("new", Bus.call(vertx, StoreAddresses.GET, new JsonObject().put("id", 5)).getString("version"));
    JsonArray twice = new JsonArray().add(Users.generated(5, "first")).add(Users.generated(5, "newest"));
    assertEquals(1, upsert(vertx, twice, "2026-07-01T00:00:00Z").getInteger("upserted"));
    assertEquals("newest", Bus.call(vertx, StoreAddresses.GET, new JsonObject().put("id", 5)).getString("version"));
  }

  @Test
  @DisplayName("pagination walks 2,500 users in pages of 1000, in byte order of their ids, with no gap and no duplicate")
  void pagination(Vertx vertx) throws Exception {
    upsert(vertx, Users.range(1, 2500, "p"), null);
    Set<String> seen = new HashSet<>();
    Object after = "";
    int pages = 0;
    String previous = "";
    while (after != null) {
      JsonObject page = Bus.call(vertx, StoreAddresses.LIST, new JsonObject().put("after", after).put("limit", 1000));
      for (Object user : page.getJsonArray("users")) {
        String id = String.valueOf(((JsonObject) user).getValue("id"));
        // ASCII: Java's order of strings is the bytes' order.
        assertTrue(id.compareTo(previous) > 0, "ordered by id, byte by byte: " + id + " after " + previous);
        previous = id;
        assertTrue(seen.add(id), "no duplicate: " + id);
      }
      after = page.getValue("next");
      pages++;
    }
    assertEquals(3, pages);
    assertEquals(2500, seen.size());
    assertNull(Bus.call(vertx, StoreAddresses.LIST, new JsonObject().put("after", "999").put("limit", 1000)).getValue("next"),
      "the last page has no next cursor");
    assertEquals(100, Bus.call(vertx, StoreAddresses.LIST, new JsonObject()).getJsonArray("users").size(), "default page");
  }

  @Test
  @DisplayName("delete removes a user; deleting it again deletes nothing")
  void delete(Vertx vertx) throws Exception {
    upsert(vertx, Users.range(1, 3, "d"), null);
    assertEquals(1, Bus.call(vertx, StoreAddresses.DELETE, new JsonObject().put("id", 2)).getInteger("deleted"));
    assertEquals(0, Bus.call(vertx, StoreAddresses.DELETE, new JsonObject().put("id", 2)).getInteger("deleted"));
    assertEquals(2, rows("true"));
  }

  @Test
  @DisplayName("bad messages are BAD_REQUEST naming the field, and nothing is written")
  void badMessages(Vertx vertx) throws Exception {
    assertTrue(Bus.failure(vertx, StoreAddresses.GET, new JsonObject(), "BAD_REQUEST", 400).getString("message").contains("id"));
    Bus.failure(vertx, StoreAddresses.GET, new JsonObject().put("id", ""), "BAD_REQUEST", 400);
    Bus.failure(vertx, StoreAddresses.GET, new JsonObject().put("id", "x".repeat(257)), "BAD_REQUEST", 400);
    Bus.failure(vertx, StoreAddresses.GET, new JsonObject().put("id", 4.5), "BAD_REQUEST", 400);
    Bus.failure(vertx, StoreAddresses.DELETE, new JsonObject().put("id", 1.5), "BAD_REQUEST", 400);
    assertTrue(Bus.failure(vertx, StoreAddresses.LIST, new JsonObject().put("limit", 0), "BAD_REQUEST", 400).getString("message").contains("limit"));
    Bus.failure(vertx, StoreAddresses.LIST, new JsonObject().put("limit", 10_001), "BAD_REQUEST", 400);
    assertTrue(Bus.failure(vertx, StoreAddresses.LIST, new JsonObject().put("after", 2.5), "BAD_REQUEST", 400).getString("message").contains("after"));
    assertTrue(Bus.failure(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", "x"), "BAD_REQUEST", 400).getString("message").contains("users"));
    JsonArray oneBad = Users.range(1, 5, "bad").add(new JsonObject().put("id", 6));
    assertTrue(Bus.failure(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", oneBad), "BAD_REQUEST", 400).getString("message").contains("users[5]"));
    JsonArray noId = Users.range(1, 2, "bad").add(new JsonObject().put("name", "Nobody"));
    assertTrue(Bus.failure(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", noId), "BAD_REQUEST", 400).getString("message").contains("id"));
    Bus.failure(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", Users.range(1, 2, "x")).put("fetchedAt", "yesterday"), "BAD_REQUEST", 400);
    assertEquals(0, rows("true"), "nothing written");
  }

  @Test
  @DisplayName("PostgreSQL stopped and started under the running verticle: STORE_UNAVAILABLE meanwhile, then get and upsert work again")
  void survivesAPostgresRestart(Vertx vertx) throws Exception {
    try (RestartablePostgres postgres = new RestartablePostgres("store-restart")) {
      JsonObject config = TestConfig.forTests().put("pg", postgres.pg().put("connectionTimeoutMs", 1000).put("scopeTimeoutMs", 3000));
      Vertx other = Vertx.vertx();
      try {
        other.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config)).await(30, TimeUnit.SECONDS);
        Bus.call(other, StoreAddresses.UPSERT, new JsonObject().put("users", Users.range(1, 10, "before")));
        assertNotNull(Bus.call(other, StoreAddresses.GET, new JsonObject().put("id", 3)));

        postgres.stop();
        Bus.failure(other, StoreAddresses.GET, new JsonObject().put("id", 3), "STORE_UNAVAILABLE", 503);
        Bus.failure(other, StoreAddresses.UPSERT, new JsonObject().put("users", Users.range(1, 2, "down")), "STORE_UNAVAILABLE", 503);

        postgres.start();
        JsonObject user = eventually(() -> Bus.call(other, StoreAddresses.GET, new JsonObject().put("id", 3)));
        assertEquals("before", user.getString("version"));
        JsonObject written = eventually(() -> Bus.call(other, StoreAddresses.UPSERT, new JsonObject().put("users", Users.range(1, 10, "after"))));
        assertEquals(10, written.getInteger("upserted"));
      } finally {
        other.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The first calls after a restart may still fail on connections that died with the server: retried
   * until one answers (a timeout names the last failure as its cause).
   */
  private static JsonObject eventually(Callable<JsonObject> call) {
    return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
      .until(call, Objects::nonNull);
  }
}
