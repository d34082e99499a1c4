package io.usergate.store;

import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store's side of the follower ({@code usergate.store.follow.*}) on the suite's PostgreSQL: the lease, and a page's
 * users, removals and position committed together or not at all.
 */
class FollowRowsTest {

  private static final String LINK = "https://graph.example/v1.0/users/delta?$deltatoken=first";
  private Vertx vertx;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes", Sql.RESET_FOLLOW);
    vertx = Vertx.vertx();
    Stack.services(vertx, TestConfig.against(new FakeDirectory().deployOn(vertx)));
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private JsonObject begin(String owner) throws Exception {
    return Bus.call(vertx, StoreAddresses.FOLLOW_BEGIN, new JsonObject().put("owner", owner).put("leaseMs", 60_000).put("kind", "delta"));
  }

  /** The last page of a delta round by {@code owner}: {@code users} stored, {@code removed} removed, {@code link} the new delta link. */
  private JsonObject lastPage(String owner, JsonArray users, JsonArray removed, String link) throws Exception {
    return Bus.call(vertx, StoreAddresses.FOLLOW_PAGE, new JsonObject().put("owner", owner).put("users", users)
      .put("removed", removed).put("fetchedAt", Instant.now().toString()).put("leaseMs", 60_000).put("state", "following")
      .put("nextOffset", 0).put("deltaLink", link).put("linkNew", true).put("roundEnd", true));
  }

  @Test
  @DisplayName("one follower at a time: the owner of the lease stores its pages and moves the position; another's begin "
    + "and pages are refused, and nothing of its page is written")
  void oneFollowerAtATime() throws Exception {
    assertTrue(begin("node-a").getBoolean("held"));
    assertFalse(begin("node-b").getBoolean("held"), "the lease is node-a's");

    JsonObject stored = lastPage("node-a", new JsonArray().add(FakeDirectory.user(1)).add(FakeDirectory.user(2)), new JsonArray(), LINK);
    assertTrue(stored.getBoolean("held"), stored.encode());
    assertEquals(2, Sql.count("SELECT count(*) FROM users"));
    assertEquals(2, Sql.count("SELECT count(*) FROM user_changes WHERE kind = 'created'"));
    assertEquals(LINK, Sql.text("SELECT delta_link FROM sync_follow"));

    JsonObject refused = lastPage("node-b", new JsonArray().add(FakeDirectory.user(3)), new JsonArray().add("1"), LINK + "-b");
    assertFalse(refused.getBoolean("held"), refused.encode());
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '3'"), "a page without the lease writes nothing");
    assertEquals(1, Sql.count("SELECT count(*) FROM users WHERE id = '1'"));
    assertEquals(LINK, Sql.text("SELECT delta_link FROM sync_follow"));
  }

  @Test
  @DisplayName("a page whose write fails in PostgreSQL is rolled back whole: no user of it, no removal, no feed row, "
    + "and the follower's position where it was, so the round resumes from the page before")
  void pageRollsBackWhole() throws Exception {
    assertTrue(begin("node-a").getBoolean("held"));
    lastPage("node-a", new JsonArray().add(FakeDirectory.user(1)), new JsonArray(), LINK);
    long feed = Sql.count("SELECT count(*) FROM user_changes");
    TestDatabase.execute("""
      CREATE OR REPLACE FUNCTION follow_rows_test_refuse() RETURNS trigger AS $$
      BEGIN
        IF NEW.id = 'refused' THEN RAISE EXCEPTION 'refused by FollowRowsTest'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql""",
      "CREATE TRIGGER follow_rows_test_refuse BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION follow_rows_test_refuse()");
    try {
      JsonArray users = new JsonArray().add(FakeDirectory.user(4)).add(FakeDirectory.user(5).put("id", "refused"));
      assertThrows(ReplyException.class, () -> lastPage("node-a", users, new JsonArray().add("1"), LINK + "-next"));
    } finally {
      TestDatabase.execute("DROP TRIGGER follow_rows_test_refuse ON users", "DROP FUNCTION follow_rows_test_refuse()");
    }
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '4'"));
    assertEquals(1, Sql.count("SELECT count(*) FROM users WHERE id = '1'"), "its removal rolled back with it");
    assertEquals(feed, Sql.count("SELECT count(*) FROM user_changes"));
    assertEquals(LINK, Sql.text("SELECT delta_link FROM sync_follow"));
    assertEquals(1, Sql.count("SELECT pages FROM sync_follow"));
  }
}
