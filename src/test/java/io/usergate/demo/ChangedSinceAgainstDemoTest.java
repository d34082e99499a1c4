package io.usergate.demo;

import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Walks;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The changed-since polls of the scim and okta presets against the demo directory in their shapes (its filters
 * {@code meta.lastModified gt "…"} and {@code lastUpdated gt "…"}), the rounds run through {@code usergate.sync.follow}.
 */
class ChangedSinceAgainstDemoTest {

  private static final int USERS = 60;
  private Vertx directoryVertx;
  private Vertx vertx;

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

  private JsonObject round() throws Exception {
    return Walks.followRound(vertx);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scim", "okta"})
  @DisplayName("the preset's changed-since poll lists every user on its first round, then only the users changed since "
    + "its watermark, in one call: a created and an updated user reach the mirror and the feed, nothing else")
  void followsTheDemo(String preset) throws Exception {
    DemoDirectoryVerticle demo = Stack.demo(directoryVertx, USERS, new JsonObject().put("shape", preset));
    Map<String, String> environment = TestConfig.presetEnvironment(preset, demo);
    // Rounds and batches only when the test asks; the overlap small, the demo's clock being this JVM's.
    environment.putAll(Map.of("USERGATE_SYNC_DELTA_INTERVAL_MS", "3600000", "USERGATE_SYNC_INTERVAL_MS", "3600000",
      "USERGATE_SYNC_CHANGED_SINCE_OVERLAP_MS", "1", "USERGATE_SYNC_LIST_PAGE_SIZE", "20"));
    Stack.services(vertx, TestConfig.fromEnvironment(environment));
    DemoShape shape = DemoShape.valueOf(preset.toUpperCase(Locale.ROOT));

    JsonObject first = round();
    assertEquals(USERS, Sql.count("SELECT count(*) FROM users"), "the first round lists every user: " + first.encode());

    long seq = Sql.count("SELECT COALESCE(max(seq), 0) FROM user_changes");
    long created = demo.changes().create(new JsonObject());
    demo.changes().update(7, new JsonObject().put(preset.equals("scim") ? "displayName" : "profile",
      preset.equals("scim") ? "Renamed Seven" : new JsonObject().put("firstName", "Renamed")));
    long calls = demo.requests();
    round();
    assertEquals(1, demo.requests() - calls, "one filtered call for what changed since the watermark");
    List<String> feed = new ArrayList<>();
    Bus.call(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("after", seq).put("limit", 100)).getJsonArray("changes")
      .forEach(change -> feed.add(((JsonObject) change).getString("kind") + ":" + ((JsonObject) change).getValue("id")));
    assertTrue(feed.contains("created:" + DemoIds.id(shape, created)), feed.toString());
    assertTrue(feed.stream().anyMatch(entry -> entry.endsWith(":" + DemoIds.id(shape, 7))), feed.toString());
    assertEquals(2, feed.size(), "nothing but what changed: " + feed);
  }
}
