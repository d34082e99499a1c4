package io.usergate.directories;

import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.InProcessService;
import io.usergate.support.ScimServer;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Walks;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scim preset's changed-since poll ({@code sync.changedSincePath}: {@code filter=meta.lastModified gt "{since}"})
 * against the real SCIM server (SCIMMY on Express, {@link ScimServer}): the first round lists everyone, the next only
 * what changed after the watermark (less the overlap).
 */
class ScimChangedSinceTest {

  private ScimServer scim;
  private InProcessService service;

  @BeforeEach
  void start() throws Exception {
    scim = ScimServer.get();
    scim.reset();
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes", Sql.RESET_FOLLOW);
    service = new InProcessService(Vertx.vertx());
    service.deploy(TestConfig.fromEnvironment(Map.of("USERGATE_UPSTREAM_PRESET", "scim",
      "USERGATE_UPSTREAM_BASE_URL", scim.baseUrl(),
      "USERGATE_UPSTREAM_HEADERS", new JsonObject().put("Authorization", scim.authorization()).encode(),
      "USERGATE_SYNC_INTERVAL_MS", "3600000",
      "USERGATE_SYNC_DELTA_INTERVAL_MS", "3600000",
      "USERGATE_SYNC_CHANGED_SINCE_OVERLAP_MS", "2000")));
  }

  @AfterEach
  void stop() throws Exception {
    service.close();
    scim.reset();
  }

  private JsonObject round() throws Exception {
    return Walks.followRound(service.vertx);
  }

  @Test
  @DisplayName("a user created and one changed after the watermark are picked up by the next changed-since poll, in one filtered call")
  void picksUpWhatChangedAfterTheWatermark() throws Exception {
    Instant beforeFirst = Instant.now();
    JsonObject first = round();
    assertEquals(ScimServer.SEEDED_USERS, Sql.count("SELECT count(*) FROM users"), first.encode());
    JsonObject follow = first.getJsonObject("follow");
    assertEquals("changedSince", follow.getString("kind"));
    assertTrue(!Instant.parse(follow.getString("watermark")).isBefore(beforeFirst.minusSeconds(1)), follow.encode());

    String changedId = scim.allUsers().get(10).getString("id");
    JsonObject changed = scim.replaceName(changedId, "Renée", "Poll");
    JsonObject created = scim.createUser(new JsonObject().put("userName", "new.comer@example.test").put("displayName", "New Comer")
      .put("emails", new JsonArray().add(new JsonObject().put("value", "new.comer@example.test").put("primary", true))));
    long seq = Sql.count("SELECT COALESCE(max(seq), 0) FROM user_changes");
    long filtered = scim.requests().getLong("filtered");

    JsonObject second = round();
    assertEquals(1, scim.requests().getLong("filtered") - filtered, "one page of the filter: " + second.encode());
    assertEquals(ScimServer.SEEDED_USERS + 1, Sql.count("SELECT count(*) FROM users"));
    assertEquals("New Comer", Sql.text("SELECT name FROM users WHERE id = '" + created.getString("id") + "'"));
    // The mapping makes name usergate's; the directory's change shows in its meta.
    assertEquals(changed.getJsonObject("meta").getString("lastModified"),
      Sql.text("SELECT profile->'meta'->>'lastModified' FROM users WHERE id = '" + changedId + "'"));
    JsonArray changes = Bus.call(service.vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("after", seq).put("limit", 100))
      .getJsonArray("changes");
    List<String> entries = new ArrayList<>();
    changes.forEach(change -> entries.add(((JsonObject) change).getString("kind") + ":" + ((JsonObject) change).getValue("id")));
    assertEquals(List.of("created:" + created.getString("id"), "updated:" + changedId).stream().sorted().toList(),
      entries.stream().sorted().toList(), "only what changed after the watermark");
  }
}
