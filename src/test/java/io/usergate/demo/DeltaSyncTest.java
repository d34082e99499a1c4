package io.usergate.demo;

import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Walks;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Following the demo directory's changes, the rounds run through {@code usergate.sync.follow}: what the mirror and
 * the change feed hold after each. Delta sync in Graph's shape (its {@code /users/delta}: next links,
 * {@code @removed}, a delta link that expires and is then refused with 400 {@code syncStateNotFound}) with the entra
 * preset; the changed-since polls of the scim and okta presets (the demo's filters {@code meta.lastModified gt "…"}
 * and {@code lastUpdated gt "…"}).
 */
class DeltaSyncTest {

  private static final int USERS = 100;
  /** Pages of 20: the first round is 5 pages. */
  private static final String DELTA_PATH = "/users/delta?$top=20&$select=" + "id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled";
  private Vertx directoryVertx;
  private Vertx vertx;
  private DemoDirectoryVerticle demo;
  private List<String> services;
  private JsonObject config;

  @BeforeEach
  void clean() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes", Sql.RESET_WALK, Sql.RESET_FOLLOW);
    directoryVertx = Vertx.vertx();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
    Stack.close(directoryVertx);
  }

  /** The demo in Graph's shape; its delta links refused after {@code linkMaxAgeMs}; usergate with the entra preset in front. */
  private void start(long linkMaxAgeMs) throws Exception {
    demo = Stack.demo(directoryVertx, USERS, new JsonObject().put("shape", "entra").put("deltaLinkMaxAgeMs", linkMaxAgeMs));
    Map<String, String> environment = TestConfig.presetEnvironment("entra", demo);
    environment.putAll(Map.of("USERGATE_SYNC_DELTA_PATH", DELTA_PATH,
      // Rounds and batches only when the test asks.
      "USERGATE_SYNC_DELTA_INTERVAL_MS", "3600000",
      "USERGATE_SYNC_INTERVAL_MS", "3600000"));
    config = TestConfig.fromEnvironment(environment);
    services = Stack.services(vertx, config);
  }

  private JsonObject round() throws Exception {
    return Walks.followRound(vertx);
  }

  private static String id(long n) {
    return DemoIds.id(DemoShape.ENTRA, n);
  }

  /** The change feed after {@code after}, as {@code kind:id} entries in order. */
  private List<String> feed(long after) throws Exception {
    JsonArray changes = Bus.call(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("after", after).put("limit", 1000))
      .getJsonArray("changes");
    List<String> entries = new ArrayList<>();
    changes.forEach(change -> entries.add(((JsonObject) change).getString("kind") + ":" + ((JsonObject) change).getValue("id")));
    return entries;
  }

  private static long lastSeq() {
    return Sql.count("SELECT COALESCE(max(seq), 0) FROM user_changes");
  }

  @Test
  @DisplayName("the first delta round stores every user through its next links; the next polls the delta link: created, "
    + "updated with its fields and removed reach the mirror and the feed, in one upstream call")
  void followsCreatedUpdatedRemoved() throws Exception {
    start(604_800_000L);
    long before = demo.requests();
    JsonObject first = round();
    assertEquals(USERS, Sql.count("SELECT count(*) FROM users"), first.encode());
    assertEquals(5, demo.requests() - before - demo.tokensIssued(), "5 pages of 20, and the token: " + first.encode());
    JsonObject follow = first.getJsonObject("follow");
    assertEquals("following", follow.getString("state"), follow.encode());
    assertEquals(1L, follow.getLong("rounds"));
    assertTrue(Sql.text("SELECT delta_link FROM sync_follow").contains("$deltatoken="), "the delta link is stored");

    long seq = lastSeq();
    long created = demo.changes().create(new JsonObject().put("displayName", "Newcomer Nouveau"));
    demo.changes().update(7, new JsonObject().put("displayName", "Renamed Seven").put("mail", "seven@contoso.demo.example"));
    demo.changes().remove(9, DemoChanges.Removal.DELETED);
    demo.changes().remove(11, DemoChanges.Removal.CHANGED);
    long calls = demo.requests();
    JsonObject second = round();
    assertEquals(1, demo.requests() - calls, "one call of the delta link: " + second.encode());
    assertEquals(USERS + 1 - 2, Sql.count("SELECT count(*) FROM users"));
    assertEquals("Renamed Seven", Sql.text("SELECT name FROM users WHERE id = '" + id(7) + "'"));
    assertEquals("Newcomer Nouveau", Sql.text("SELECT name FROM users WHERE id = '" + id(created) + "'"));
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id IN ('" + id(9) + "', '" + id(11) + "')"));
    List<String> changes = feed(seq);
    assertEquals(4, changes.size(), changes.toString());
    assertTrue(changes.containsAll(List.of("created:" + id(created), "updated:" + id(7), "removed:" + id(9), "removed:" + id(11))),
      changes.toString());
    // The directory's fields that changed, and usergate's mapped ones with them.
    assertEquals("{displayName,email,mail,name}", Sql.text("SELECT fields::text FROM user_changes WHERE kind = 'updated' AND user_id = '"
      + id(7) + "'"), "the fields that changed");

    // Nothing changed: one call, nothing written.
    long quiet = lastSeq();
    round();
    assertEquals(quiet, lastSeq(), "no change, nothing in the feed");
  }

  @Test
  @DisplayName("a restart resumes from the delta link stored in PostgreSQL: its first round is one call of the link, not a new listing")
  void restartResumesTheStoredLink() throws Exception {
    start(604_800_000L);
    round();
    String link = Sql.text("SELECT delta_link FROM sync_follow");
    for (int i = services.size() - 1; i >= 0; i--) {
      vertx.undeploy(services.get(i)).await(10, TimeUnit.SECONDS);
    }
    assertNull(Sql.text("SELECT lease_owner FROM sync_follow"), "the undeploy gave the lease back");
    demo.changes().update(3, new JsonObject().put("displayName", "Three After Restart"));
    services = Stack.services(vertx, config);
    long calls = demo.requests();
    long tokens = demo.tokensIssued();
    JsonObject round = round();
    assertEquals(1, demo.requests() - calls - (demo.tokensIssued() - tokens), "the stored link, polled once: " + round.encode());
    assertEquals("Three After Restart", Sql.text("SELECT name FROM users WHERE id = '" + id(3) + "'"));
    assertFalse(link.equals(Sql.text("SELECT delta_link FROM sync_follow")), "the round stored the directory's next delta link");
    assertEquals(2L, round.getJsonObject("follow").getLong("rounds"));
  }

  @Test
  @DisplayName("an expired delta link (400 syncStateNotFound): a full walk removes the users deleted meanwhile, then a fresh "
    + "link; GET /sync's delta object says when and why")
  void expiredLinkResyncs() throws Exception {
    long maxAgeMs = 1500;
    start(maxAgeMs);
    round();
    demo.changes().remove(5, DemoChanges.Removal.DELETED);
    demo.changes().update(6, new JsonObject().put("displayName", "Six While Expired"));
    // The link ages past what the directory takes.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
      Bus.call(vertx, StoreAddresses.FOLLOW_STATUS, new JsonObject()).getLong("linkAgeMs") > maxAgeMs + 100);
    long seq = lastSeq();

    JsonObject refused = round();
    JsonObject follow = refused.getJsonObject("follow");
    assertEquals("resync", follow.getString("state"), refused.encode());
    assertTrue(follow.getString("resyncReason").contains("syncStateNotFound"), follow.encode());
    assertEquals(1L, follow.getLong("resyncs"));

    JsonObject walk = Walks.ended(vertx, Duration.ofSeconds(60));
    assertEquals("done", walk.getString("state"), walk.encode());
    assertEquals(1L, walk.getLong("removed"), "the walk's sweep removed the user deleted meanwhile: " + walk.encode());
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '" + id(5) + "'"));
    assertEquals("Six While Expired", Sql.text("SELECT name FROM users WHERE id = '" + id(6) + "'"));

    JsonObject fresh = round();
    assertEquals("following", fresh.getJsonObject("follow").getString("state"), fresh.encode());
    assertTrue(fresh.getJsonObject("follow").getLong("linkAgeMs") < maxAgeMs, fresh.encode());
    List<String> changes = feed(seq);
    assertTrue(changes.contains("removed:" + id(5)) && changes.contains("updated:" + id(6)), changes.toString());

    JsonObject status = Bus.call(vertx, SyncAddresses.STATUS, new JsonObject());
    JsonObject delta = status.getJsonObject("delta");
    assertEquals("following", delta.getString("state"), status.encode());
    assertEquals(DELTA_PATH, delta.getString("path"));
    assertTrue(delta.getString("resyncReason").contains("syncStateNotFound"), delta.encode());
    assertTrue(delta.getString("lastResyncAt") != null && delta.getValue("linkAgeMs") instanceof Number, delta.encode());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scim", "okta"})
  @DisplayName("the preset's changed-since poll lists every user on its first round, then only the users changed since "
    + "its watermark, in one call: a created and an updated user reach the mirror and the feed, nothing else")
  void followsChangedSince(String preset) throws Exception {
    demo = Stack.demo(directoryVertx, USERS, new JsonObject().put("shape", preset));
    Map<String, String> environment = TestConfig.presetEnvironment(preset, demo);
    // Rounds and batches only when the test asks; the overlap small, the demo's clock being this JVM's.
    environment.putAll(Map.of("USERGATE_SYNC_DELTA_INTERVAL_MS", "3600000", "USERGATE_SYNC_INTERVAL_MS", "3600000",
      "USERGATE_SYNC_CHANGED_SINCE_OVERLAP_MS", "1", "USERGATE_SYNC_LIST_PAGE_SIZE", "20"));
    Stack.services(vertx, TestConfig.fromEnvironment(environment));
    DemoShape shape = DemoShape.valueOf(preset.toUpperCase(Locale.ROOT));

    JsonObject first = round();
    assertEquals(USERS, Sql.count("SELECT count(*) FROM users"), "the first round lists every user: " + first.encode());

    long seq = lastSeq();
    long created = demo.changes().create(new JsonObject());
    demo.changes().update(7, new JsonObject().put(preset.equals("scim") ? "displayName" : "profile",
      preset.equals("scim") ? "Renamed Seven" : new JsonObject().put("firstName", "Renamed")));
    long calls = demo.requests();
    round();
    assertEquals(1, demo.requests() - calls, "one filtered call for what changed since the watermark");
    List<String> changes = feed(seq);
    assertTrue(changes.contains("created:" + DemoIds.id(shape, created)), changes.toString());
    assertTrue(changes.stream().anyMatch(entry -> entry.endsWith(":" + DemoIds.id(shape, 7))), changes.toString());
    assertEquals(2, changes.size(), "nothing but what changed: " + changes);
  }
}
