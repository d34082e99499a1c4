package io.usergate.sync;

import io.usergate.support.Bus;
import io.usergate.support.PagingDirectory;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walk follows the directory's own paging ({@code sync.listNext}): a real directory on loopback per mode
 * ({@link PagingDirectory}, on its own Vert.x, so that it outlives a stopped stack), the real mirror.
 */
class WalkPagingTest {

  private static final Set<String> ENDED = Set.of("done", "stopped", "interrupted");
  private static final int USERS = 250;
  private static final int PAGE = 20;

  private Vertx directories;
  private Vertx vertx;
  private List<String> deployments;

  @BeforeEach
  void database() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", Sql.RESET_WALK);
    directories = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
    Stack.close(directories);
  }

  private PagingDirectory directory(String mode) throws Exception {
    return new PagingDirectory(mode).listed(1, USERS).deployOn(directories);
  }

  private JsonObject config(PagingDirectory directory) {
    JsonObject config = directory.configure(TestConfig.forTests(), PAGE);
    config.getJsonObject("upstream").put("retries", 0);
    config.getJsonObject("sync").put("intervalMs", 3_600_000).put("shutdownGraceMs", 2000);
    return config;
  }

  private void stack(JsonObject config) throws Exception {
    vertx = Vertx.vertx();
    deployments = Stack.services(vertx, config);
  }

  /** As main stops: sync first, then fetch and store; then the node is gone. */
  private void stopStack() throws Exception {
    for (int i = deployments.size() - 1; i >= 0; i--) {
      vertx.undeploy(deployments.get(i)).await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
    vertx = null;
  }

  private JsonObject walkToTheEnd() throws Exception {
    return Walks.toTheEnd(vertx, Duration.ofSeconds(60));
  }

  private static long stored() {
    return Sql.count("SELECT count(*) FROM users");
  }

  private static JsonObject walkRow() {
    return new JsonObject(Sql.text("SELECT row_to_json(w) FROM sync_walk w"));
  }

  @ParameterizedTest(name = "sync.listNext {0}")
  @ValueSource(strings = {"offset", "scim", "link", "url", "token"})
  @DisplayName("a walk in each paging mode lists all 250 users in pages of 20, and the next walk removes the one the directory deleted")
  void walksEveryMode(String mode) throws Exception {
    PagingDirectory directory = directory(mode);
    stack(config(directory));
    JsonObject walk = walkToTheEnd();
    assertEquals("done", walk.getString("state"), walk.encode());
    assertEquals(USERS, walk.getLong("users"));
    assertEquals(USERS, stored());
    assertEquals(mode.equals("scim") ? 17 : 13, walk.getLong("pages"), "SCIM answers at most 15 a page");
    assertEquals(1, directory.firstPages());

    directory.unlist(7);
    JsonObject again = walkToTheEnd();
    assertEquals("done", again.getString("state"), again.encode());
    assertEquals(USERS - 1, again.getLong("users"));
    assertEquals(1, again.getLong("removed"));
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id = '7'"));
    assertEquals(USERS - 1, stored());
  }

  @ParameterizedTest(name = "sync.listNext {0}")
  @ValueSource(strings = {"link", "url", "token", "scim"})
  @DisplayName("a walk cut short by a stopped node resumes on the next one from the cursor it stored, not from the first page")
  void resumesFromTheStoredCursor(String mode) throws Exception {
    PagingDirectory directory = directory(mode).delay(100);
    JsonObject config = config(directory);
    stack(config);
    Bus.call(vertx, SyncAddresses.WALK, new JsonObject());
    await().atMost(Duration.ofSeconds(20)).until(() -> Sql.count("SELECT pages FROM sync_walk") >= 3);
    stopStack();
    JsonObject row = walkRow();
    assertEquals("interrupted", row.getString("state"), row.encode());
    long position = row.getLong("next_offset");
    assertEquals(position, stored(), "the position never runs ahead of what is stored");
    if (!mode.equals("scim")) {
      assertNotNull(row.getString("next_cursor"), "the cursor of the next page is stored with the page: " + row.encode());
    }
    int asked = directory.requests().size();

    stack(config);
    JsonObject resumed = walkToTheEnd();
    assertEquals("done", resumed.getString("state"), resumed.encode());
    assertEquals(row.getLong("generation"), resumed.getLong("generation"));
    assertEquals(USERS, resumed.getLong("users"));
    assertEquals(USERS, stored());
    assertEquals(1, directory.firstPages(), "the first page was asked for once, by the first node: " + directory.requests());
    List<String> after = directory.requests().subList(asked, directory.requests().size());
    long pagesLeft = (USERS - position + (mode.equals("scim") ? PagingDirectory.SCIM_MAX : PAGE) - 1)
      / (mode.equals("scim") ? PagingDirectory.SCIM_MAX : PAGE);
    if (!mode.equals("scim")) {
      // SCIM pages are asked for ahead (and some cancelled); a cursor's come one after the other.
      assertEquals(pagesLeft, after.size(), "the resumed walk asks only for the pages it had not stored: " + after);
    }
  }

  @Test
  @DisplayName("a cursor the directory no longer accepts restarts the walk from the first page, as a new generation, and it says so")
  void aRefusedCursorRestartsTheWalk() throws Exception {
    PagingDirectory directory = directory("token").delay(100);
    JsonObject config = config(directory);
    stack(config);
    Bus.call(vertx, SyncAddresses.WALK, new JsonObject());
    await().atMost(Duration.ofSeconds(20)).until(() -> Sql.count("SELECT pages FROM sync_walk") >= 3);
    stopStack();
    long generation = walkRow().getLong("generation");
    // While the node was down its cursor expired, and a user stored by the first part of the walk was deleted.
    directory.forgetCursors().unlist(2).delay(0);

    stack(config);
    JsonObject walk = walkToTheEnd();
    assertEquals("done", walk.getString("state"), walk.encode());
    assertTrue(walk.getString("message").contains("restarted from the first page")
      && walk.getString("message").contains("upstream answered 410"), walk.getString("message"));
    assertEquals(generation + 1, walk.getLong("generation"));
    assertEquals(USERS - 1, walk.getLong("users"), "counted afresh from the first page");
    assertEquals(1, walk.getLong("removed"), "the restarted walk is complete: the deleted user goes");
    assertEquals(USERS - 1, stored());
    assertEquals(2, directory.firstPages());
  }

  @Test
  @DisplayName("a directory that refuses every cursor: the walk restarts once, then stops saying so, and removes nothing")
  void aCursorRefusedAgainStopsTheWalk() throws Exception {
    PagingDirectory directory = directory("link");
    stack(config(directory));
    assertEquals("done", walkToTheEnd().getString("state"));
    directory.unlist(1).unlist(2).refuseAllCursors(true);
    JsonObject walk = walkToTheEnd();
    assertEquals("interrupted", walk.getString("state"), walk.encode());
    assertTrue(walk.getString("message").contains("once already"), walk.getString("message"));
    assertEquals(USERS, stored(), "a partial listing removes nothing");
    assertEquals(1 + 2, directory.firstPages(), "the first walk's, then this one's and its restart's");
  }

  @Test
  @DisplayName("a next link to another origin is not followed: the walk stops saying why, the other origin sees no request, nothing is removed")
  void aLinkToAnotherOriginIsRefused() throws Exception {
    PagingDirectory elsewhere = directory("link");
    PagingDirectory directory = directory("link");
    stack(config(directory));
    assertEquals("done", walkToTheEnd().getString("state"));
    directory.unlist(3).nextOrigin(elsewhere.baseUrl());
    JsonObject walk = walkToTheEnd();
    assertEquals("interrupted", walk.getString("state"), walk.encode());
    assertTrue(walk.getString("message").contains("another origin"), walk.getString("message"));
    assertTrue(walk.getString("message").contains(elsewhere.baseUrl()), walk.getString("message"));
    assertEquals(List.of(), elsewhere.requests());
    assertEquals(USERS, stored());
    assertFalse(walk.getString("message").contains("removed"), walk.getString("message"));
  }
}
