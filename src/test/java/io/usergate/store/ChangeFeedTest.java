package io.usergate.store;

import io.usergate.MainVerticle;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.web.HttpVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The change feed: user_changes written with each change, read by sequence, published after commit. */
class ChangeFeedTest {

  private Vertx vertx;
  private FakeDirectory upstream;
  private JsonObject config;
  private final List<JsonObject> published = new CopyOnWriteArrayList<>();

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes",
      "UPDATE user_changes_trimmed SET upto = 0");
    vertx = Vertx.vertx();
    upstream = new FakeDirectory().deployOn(vertx);
    config = TestConfig.against(upstream);
    config.getJsonObject("sync").put("intervalMs", 100);
    vertx.eventBus().<JsonObject>consumer(StoreAddresses.USER_CHANGED, message -> published.add(message.body()));
    Stack.services(vertx, config);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private void upsert(JsonObject... users) throws Exception {
    Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray(List.of((Object[]) users))));
  }

  private JsonObject read(long after, int limit) throws Exception {
    return Bus.call(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("after", after).put("limit", limit));
  }

  private static List<String> kinds(JsonArray changes) {
    List<String> kinds = new ArrayList<>();
    changes.forEach(change -> kinds.add(((JsonObject) change).getLong("id") + ":" + ((JsonObject) change).getString("kind")));
    return kinds;
  }

  @Test
  @DisplayName("created, updated with the fields that differ, removed; an identical rewrite is no change; events match the table")
  void recordsEachChange() throws Exception {
    upsert(FakeDirectory.user(1), FakeDirectory.user(2));
    upsert(FakeDirectory.user(1));
    upsert(FakeDirectory.user(2).put("email", "new@example.org").put("phone", "1"));
    Bus.call(vertx, StoreAddresses.DELETE, new JsonObject().put("id", 1));
    JsonObject feed = read(0, 100);
    JsonArray changes = feed.getJsonArray("changes");
    assertEquals(List.of("1:created", "2:created", "2:updated", "1:removed"), kinds(changes));
    assertNull(changes.getJsonObject(0).getJsonArray("fields"));
    assertEquals(new JsonArray().add("email").add("phone"), changes.getJsonObject(2).getJsonArray("fields"));
    assertEquals(changes.getJsonObject(3).getLong("seq"), feed.getLong("next"));
    for (int i = 1; i < changes.size(); i++) {
      assertTrue(changes.getJsonObject(i).getLong("seq") > changes.getJsonObject(i - 1).getLong("seq"));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> published.size() == 4);
    // Published with the hash of the content written (the caches keep a copy that is exactly it); a removal has none.
    List<JsonObject> events = new ArrayList<>(published);
    for (int i = 0; i < 3; i++) {
      assertTrue(events.get(i).getValue("contentHash") instanceof Integer, events.get(i).encode());
    }
    assertNull(events.get(3).getValue("contentHash"));
    events.forEach(event -> event.remove("contentHash"));
    assertEquals(changes.getList(), new JsonArray(new ArrayList<>(events)).getList(), "published as recorded, in order");
  }

  @Test
  @DisplayName("a reader pages through the feed with next; a bad after or limit is 400, never a 500")
  void pagesAndChecks() throws Exception {
    for (long id = 1; id <= 5; id++) {
      upsert(FakeDirectory.user(id));
    }
    JsonObject first = read(0, 2);
    assertEquals(List.of("1:created", "2:created"), kinds(first.getJsonArray("changes")));
    JsonObject second = read(first.getLong("next"), 10);
    assertEquals(List.of("3:created", "4:created", "5:created"), kinds(second.getJsonArray("changes")));
    JsonObject empty = read(second.getLong("next"), 10);
    assertTrue(empty.getJsonArray("changes").isEmpty());
    assertEquals(second.getLong("next"), empty.getLong("next"), "nothing new: next stays");
    JsonObject tail = Bus.call(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("tail", 2));
    assertEquals(List.of("4:created", "5:created"), kinds(tail.getJsonArray("changes")), "the newest two, oldest first");
    assertEquals(second.getLong("next"), tail.getLong("next"));
    Bus.failure(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("tail", 2).put("after", 1), "BAD_REQUEST", 400);
    Bus.failure(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("limit", 1001), "BAD_REQUEST", 400);
    Bus.failure(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("limit", 0), "BAD_REQUEST", 400);
    Bus.failure(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("after", -1), "BAD_REQUEST", 400);
    Bus.failure(vertx, StoreAddresses.CHANGES_READ, new JsonObject().put("after", "x"), "BAD_REQUEST", 400);
  }

  @Test
  @DisplayName("the sync's writes are recorded too: a refresh that changes a user, a 404 that removes one")
  void syncChanges() throws Exception {
    upsert(FakeDirectory.user(1).put("name", "Old Name"), FakeDirectory.user(2));
    long after = read(0, 100).getLong("next");
    upstream.script(2, Behaviour.NOT_FOUND, 0);
    Bus.call(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray().add(1).add(2)));
    await().atMost(Duration.ofSeconds(10)).until(() -> read(after, 100).getJsonArray("changes").size() == 2);
    JsonArray changes = read(after, 100).getJsonArray("changes");
    assertEquals(List.of("1:updated", "2:removed"), kinds(changes));
    assertEquals(new JsonArray().add("name"), changes.getJsonObject(0).getJsonArray("fields"));
  }

  @Test
  @DisplayName("concurrent writers: sequences are unique and every change is read exactly once by a reader following the feed")
  void concurrentWriters() throws Exception {
    List<Future<?>> writes = new ArrayList<>();
    for (long id = 1; id <= 40; id++) {
      writes.add(vertx.eventBus().request(StoreAddresses.UPSERT,
        new JsonObject().put("users", new JsonArray().add(FakeDirectory.user(id)))));
    }
    Future.all(writes).await(30, TimeUnit.SECONDS);
    long next = 0;
    List<Long> ids = new ArrayList<>();
    while (true) {
      JsonObject page = read(next, 7);
      if (page.getJsonArray("changes").isEmpty()) {
        break;
      }
      page.getJsonArray("changes").forEach(change -> ids.add(((JsonObject) change).getLong("id")));
      next = page.getLong("next");
    }
    assertEquals(40, ids.size());
    assertEquals(40, ids.stream().distinct().count());
  }

  @Test
  @DisplayName("trimmed past a reader's position: GET /changes is 410 CHANGES_GONE naming the oldest sequence kept")
  void trimmedPastTheReader() throws Exception {
    upsert(FakeDirectory.user(1), FakeDirectory.user(2), FakeDirectory.user(3));
    long oldest = read(0, 100).getJsonArray("changes").getJsonObject(0).getLong("seq");
    TestDatabase.execute("UPDATE user_changes SET at = now() - interval '8 days' WHERE seq = " + oldest);
    assertEquals(1, Bus.call(vertx, StoreAddresses.CHANGES_TRIM, new JsonObject().put("retainMs", 604_800_000L)).getLong("trimmed"));
    HttpVerticle web = new HttpVerticle();
    Stack.deploy(vertx, MainVerticle.WEB, web, config);
    WebClient client = WebClient.create(vertx);
    var gone = client.get(web.actualPort(), "127.0.0.1", "/changes?after=0").send().await(10, TimeUnit.SECONDS);
    assertEquals(410, gone.statusCode(), gone.bodyAsString());
    JsonObject error = gone.bodyAsJsonObject().getJsonObject("error");
    assertEquals("CHANGES_GONE", error.getString("code"));
    assertTrue(error.getString("message").contains("the oldest kept is " + (oldest + 1)), error.getString("message"));
    var kept = client.get(web.actualPort(), "127.0.0.1", "/changes?after=" + oldest + "&limit=10").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, kept.statusCode());
    assertEquals(2, kept.bodyAsJsonObject().getJsonArray("changes").size());
    assertEquals(400, client.get(web.actualPort(), "127.0.0.1", "/changes?limit=abc").send().await(10, TimeUnit.SECONDS).statusCode());
    client.close();
  }

  @Test
  @DisplayName("with changes.enabled false nothing is recorded or published")
  void off() throws Exception {
    Vertx other = Vertx.vertx();
    try {
      JsonObject quiet = config.copy();
      quiet.getJsonObject("changes").put("enabled", false);
      Stack.deploy(other, MainVerticle.STORE, new StoreVerticle(), quiet);
      Bus.call(other, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(FakeDirectory.user(9))));
      assertEquals(1, Sql.count("SELECT count(*) FROM users WHERE id = '9'"));
      assertEquals(0, Sql.count("SELECT count(*) FROM user_changes"));
    } finally {
      other.close().await(30, TimeUnit.SECONDS);
    }
  }
}
