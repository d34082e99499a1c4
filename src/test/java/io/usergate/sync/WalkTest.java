package io.usergate.sync;

import io.usergate.MainVerticle;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.support.Walks;
import io.usergate.web.HttpVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paged walk of the whole directory: a real list endpoint on loopback, the real mirror. */
class WalkTest {

  private Vertx vertx;
  private FakeDirectory upstream;
  private JsonObject config;
  private List<String> deployments;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs",
      Sql.RESET_WALK);
    vertx = Vertx.vertx();
    upstream = new FakeDirectory().deployOn(vertx);
    config = TestConfig.against(upstream);
    config.getJsonObject("sync").put("listPath", "/users{?limit,skip}").put("listPageSize", 100)
      .put("intervalMs", 3_600_000).put("shutdownGraceMs", 2000);
    deployments = Stack.services(vertx, config);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private JsonObject walkNow(Vertx on) throws Exception {
    return Bus.call(on, SyncAddresses.WALK, new JsonObject());
  }

  /** The walk once it has ended (done, stopped or interrupted). */
  private JsonObject ended() {
    return Walks.ended(vertx, Duration.ofSeconds(30));
  }

  private JsonObject walkToTheEnd() throws Exception {
    assertTrue(walkNow(vertx).getBoolean("started"));
    return ended();
  }

  private static long stored() {
    return Sql.count("SELECT count(*) FROM users");
  }

  @Test
  @DisplayName("a walk stores every user the list holds, page by page, and GET /sync's status shows it")
  void walksEveryPage() throws Exception {
    upstream.listed(1, 250);
    JsonObject walk = walkToTheEnd();
    assertEquals("done", walk.getString("state"), walk.encode());
    assertEquals(3, walk.getLong("pages"));
    assertEquals(250, walk.getLong("users"));
    assertEquals(250, walk.getLong("total"));
    assertEquals(0, walk.getLong("removed"));
    assertEquals(250, stored());
    assertEquals(List.of(0L, 100L, 200L), upstream.listOffsets().subList(0, 3));
    JsonObject status = Bus.call(vertx, SyncAddresses.STATUS, new JsonObject()).getJsonObject("walk");
    assertEquals("done", status.getString("state"));
    assertEquals("/users{?limit,skip}", status.getString("listPath"));
  }

  @Test
  @DisplayName("after a complete walk, the users the directory no longer lists are removed; one fetched after the walk began stays")
  void removesWhatIsNoLongerListed() throws Exception {
    upstream.listed(1, 50);
    walkToTheEnd();
    upstream.unlist(7);
    // Fetched (by another route) after the next walk begins: it may be newer than the list, so it stays.
    Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(FakeDirectory.user(500)))
      .put("fetchedAt", Instant.now().plusSeconds(60).toString()));
    JsonObject walk = walkToTheEnd();
    assertEquals("done", walk.getString("state"), walk.encode());
    assertEquals(1, walk.getLong("removed"));
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '7'"));
    assertEquals(50, stored(), "49 listed and the one fetched after the walk began");
  }

  @Test
  @DisplayName("a walk that would remove more than walkMaxRemoveFraction of the mirror removes nothing and says so")
  void aDirectoryThatListsNothingDoesNotEmptyTheMirror() throws Exception {
    upstream.listed(1, 50);
    walkToTheEnd();
    upstream.listed(1, 40);
    JsonObject walk = walkToTheEnd();
    assertEquals("stopped", walk.getString("state"), walk.encode());
    assertTrue(walk.getString("message").contains("walkMaxRemoveFraction"), walk.getString("message"));
    assertEquals(0, walk.getLong("removed"));
    assertEquals(50, stored());
  }

  @Test
  @DisplayName("a page that fails interrupts the walk at the last page stored; the next walk resumes there, same generation")
  void resumesFromTheLastPageStored() throws Exception {
    upstream.listed(1, 350).failListAt(200, 1);
    JsonObject interrupted = walkToTheEnd();
    assertEquals("interrupted", interrupted.getString("state"), interrupted.encode());
    assertEquals(200, interrupted.getLong("nextOffset"));
    assertTrue(interrupted.getString("message").contains("offset 200"), interrupted.getString("message"));
    assertEquals(200, stored());
    int asked = upstream.listOffsets().size();
    JsonObject resumed = walkToTheEnd();
    assertEquals("done", resumed.getString("state"), resumed.encode());
    assertEquals(interrupted.getLong("generation"), resumed.getLong("generation"));
    assertEquals(350, resumed.getLong("users"));
    assertEquals(350, stored());
    assertFalse(upstream.listOffsets().subList(asked, upstream.listOffsets().size()).contains(0L),
      "the resumed walk does not ask for the pages already stored");
  }

  @Test
  @DisplayName("one walk at a time in the cluster: a second node asked to walk while one runs says so and starts nothing")
  void oneWalkAtATime() throws Exception {
    upstream.listed(1, 300).listDelay(300);
    Vertx other = Vertx.vertx();
    try {
      Stack.services(other, config);
      assertTrue(walkNow(vertx).getBoolean("started"));
      JsonObject second = walkNow(other);
      assertFalse(second.getBoolean("started"), second.encode());
      assertTrue(second.getString("message").contains("already running"), second.encode());
      JsonObject again = walkNow(vertx);
      assertFalse(again.getBoolean("started"), again.encode());
      assertEquals("done", ended().getString("state"));
      assertEquals(3, ended().getLong("pages"), "no page walked twice");
    } finally {
      other.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("undeployed mid-walk: the page under way is finished, the walk is interrupted there, and a new node resumes it")
  void undeployHandsTheWalkOver() throws Exception {
    upstream.listed(1, 1000).listDelay(100);
    walkNow(vertx);
    await().atMost(Duration.ofSeconds(20)).until(() -> Sql.count("SELECT pages FROM sync_walk") >= 2);
    // As main undeploys: sync first, then fetch and store.
    for (int i = deployments.size() - 1; i >= 0; i--) {
      vertx.undeploy(deployments.get(i)).await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
    JsonObject walk = new JsonObject(Sql.text("SELECT row_to_json(w) FROM sync_walk w"));
    assertEquals("interrupted", walk.getString("state"), walk.encode());
    assertNull(walk.getString("lease_owner"));
    long position = walk.getLong("next_offset");
    assertEquals(position, stored(), "the position never runs ahead of what is stored");
    vertx = Vertx.vertx();
    vertx.deployVerticle(upstream = new FakeDirectory()).await(10, TimeUnit.SECONDS);
    upstream.listed(1, 1000);
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl());
    Stack.services(vertx, config);
    JsonObject resumed = walkToTheEnd();
    assertEquals("done", resumed.getString("state"), resumed.encode());
    assertEquals(position, upstream.listOffsets().get(0), "resumed where the first node stopped");
    assertEquals(1000, stored());
  }

  @Test
  @DisplayName("a total that changes during the walk, or an entry that is not a user: the walk completes but removes nothing")
  void doubtfulWalksRemoveNothing() throws Exception {
    upstream.listed(1, 50);
    walkToTheEnd();
    upstream.unlist(3).listEntry(new JsonObject().put("id", 9999).put("name", ""));
    JsonObject invalid = walkToTheEnd();
    assertEquals("stopped", invalid.getString("state"), invalid.encode());
    assertTrue(invalid.getString("message").contains("not valid users"), invalid.getString("message"));
    assertEquals(1, Sql.count("SELECT count(*) FROM users WHERE id = '3'"));
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '9999'"));

    // The total changes between two pages: the second page fails once, the directory loses a user meanwhile.
    upstream.listEntry(null).listed(1, 250).failListAt(100, 1);
    assertEquals("interrupted", walkToTheEnd().getString("state"));
    upstream.unlist(1);
    JsonObject shrunk = walkToTheEnd();
    assertEquals("stopped", shrunk.getString("state"), shrunk.encode());
    assertTrue(shrunk.getString("message").contains("total went from 250 to 249"), shrunk.getString("message"));
    assertEquals(1, Sql.count("SELECT count(*) FROM users WHERE id = '1'"));
  }

  @Test
  @DisplayName("a directory that ignores the position, answers no array, or more than asked: the walk is interrupted with a message saying so")
  void misbehavingListsInterrupt() throws Exception {
    upstream.listed(1, 500).listIgnoresSkip(true);
    JsonObject same = walkToTheEnd();
    assertEquals("interrupted", same.getString("state"), same.encode());
    assertTrue(same.getString("message").contains("position variable"), same.getString("message"));
    assertEquals(100, stored());

    upstream.listIgnoresSkip(false).listBody("{\"users\": []}");
    JsonObject notAList = walkToTheEnd();
    assertEquals("interrupted", notAList.getString("state"), notAList.encode());
    assertTrue(notAList.getString("message").contains("not an array"), notAList.getString("message"));

    upstream.listBody(null).listOversize(5);
    JsonObject oversized = walkToTheEnd();
    assertEquals("interrupted", oversized.getString("state"), oversized.encode());
    assertTrue(oversized.getString("message").contains("105 users where 100 were asked"), oversized.getString("message"));
  }

  @Test
  @DisplayName("POST /sync/walk needs the token; 202 when a walk starts, 200 with started false while one runs")
  void overHttp() throws Exception {
    upstream.listed(1, 300).listDelay(300);
    config.getJsonObject("auth").put("token", "walk-token");
    HttpVerticle web = new HttpVerticle();
    Stack.deploy(vertx, MainVerticle.WEB, web, config);
    WebClient client = WebClient.create(vertx);
    try {
      assertEquals(401, client.post(web.actualPort(), "127.0.0.1", "/sync/walk").send().await(10, TimeUnit.SECONDS).statusCode());
      assertEquals("idle", Bus.call(vertx, StoreAddresses.WALK_STATUS, new JsonObject()).getString("state"), "nothing started");
      var started = client.post(web.actualPort(), "127.0.0.1", "/sync/walk").bearerTokenAuthentication("walk-token")
        .send().await(10, TimeUnit.SECONDS);
      assertEquals(202, started.statusCode(), started.bodyAsString());
      assertTrue(started.bodyAsJsonObject().getBoolean("started"));
      var again = client.post(web.actualPort(), "127.0.0.1", "/sync/walk").bearerTokenAuthentication("walk-token")
        .send().await(10, TimeUnit.SECONDS);
      assertEquals(200, again.statusCode(), again.bodyAsString());
      assertFalse(again.bodyAsJsonObject().getBoolean("started"));
      assertEquals("done", ended().getString("state"));
    } finally {
      client.close();
    }
  }

  @Test
  @DisplayName("without sync.listPath, a walk is a clear 400")
  void noListPath() throws Exception {
    Vertx other = Vertx.vertx();
    try {
      JsonObject plain = TestConfig.forTests();
      plain.getJsonObject("upstream").put("baseUrl", upstream.baseUrl());
      Stack.services(other, plain);
      JsonObject error = Bus.failure(other, SyncAddresses.WALK, new JsonObject(), "BAD_REQUEST", 400);
      assertTrue(error.getString("message").contains("sync.listPath"));
    } finally {
      other.close().await(30, TimeUnit.SECONDS);
    }
  }
}
