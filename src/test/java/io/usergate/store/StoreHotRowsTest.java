package io.usergate.store;

import io.usergate.MainVerticle;
import io.usergate.support.Bus;
import io.usergate.support.ClusterNodes;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** GET /store/users/{id} from the store's hot rows: no SQL for a hot user, dropped at every change, on every node. */
class StoreHotRowsTest {

  @BeforeEach
  void clean() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE user_changes");
  }

  /** The test configuration with the store's hot rows on, as they are by default. */
  private static JsonObject hot() {
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("cache").put("memoryBytes", 1_000_000L);
    return config;
  }

  private static JsonObject user(long id, String name) {
    return new JsonObject().put("id", id).put("name", name).put("username", "u" + id);
  }

  private static void upsert(Vertx vertx, JsonObject user) throws Exception {
    Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(user)));
  }

  /** Changes the row behind the store's back: only a read of PostgreSQL sees it. */
  private static void changeBehindTheStore(long id, String name) {
    TestDatabase.execute(TestDatabase.pg(), "usergate",
      "UPDATE users SET profile = jsonb_set(profile, '{name}', '\"" + name + "\"') WHERE id = '" + id + "'");
  }

  @Test
  @DisplayName("a hot user is answered from memory (a change behind the store is not seen), and a write through the store at once")
  void oneNode() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = hot();
      Stack.demoUpstream(vertx, config);
      int port = Stack.all(vertx, config).actualPort();
      WebClient client = WebClient.create(vertx);
      upsert(vertx, user(7, "First"));
      assertEquals("First", client.get(port, "127.0.0.1", "/store/users/7").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject().getString("name"));
      changeBehindTheStore(7, "Behind");
      assertEquals("First", client.get(port, "127.0.0.1", "/store/users/7").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject().getString("name"),
        "hot: no SQL read");
      assertEquals("First", Bus.call(vertx, StoreAddresses.GET, new JsonObject().put("id", 7)).getString("name"), "the bus gets the JSON object");
      upsert(vertx, user(7, "Second"));
      assertEquals("Second", client.get(port, "127.0.0.1", "/store/users/7").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject().getString("name"),
        "a write through the store drops the copy at its commit");
      Bus.call(vertx, StoreAddresses.DELETE, new JsonObject().put("id", 7));
      assertEquals(404, client.get(port, "127.0.0.1", "/store/users/7").send().await(10, TimeUnit.SECONDS).statusCode());
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("two clustered nodes: a write on one drops the other's copy through usergate.user.changed, within a second")
  void twoNodes() throws Exception {
    ClusterNodes.useFreshCluster(5831);
    Vertx nodeA = ClusterNodes.start();
    Vertx nodeB = ClusterNodes.start();
    try {
      JsonObject config = hot();
      Stack.deploy(nodeA, MainVerticle.STORE, new StoreVerticle(), config);
      Stack.deploy(nodeB, MainVerticle.STORE, new StoreVerticle(), config);
      upsert(nodeA, user(8, "First"));
      // Both stores answer store.get (round robin): each holds the user hot after a few reads.
      for (int i = 0; i < 6; i++) {
        assertEquals("First", Bus.call(nodeA, StoreAddresses.GET, new JsonObject().put("id", 8)).getString("name"));
      }
      changeBehindTheStore(8, "Behind");
      for (int i = 0; i < 6; i++) {
        assertEquals("First", Bus.call(nodeA, StoreAddresses.GET, new JsonObject().put("id", 8)).getString("name"), "hot on both nodes");
      }
      CompletableFuture<Long> heard = new CompletableFuture<>();
      nodeA.eventBus().<JsonObject>consumer(StoreAddresses.USER_CHANGED, change -> heard.complete(System.nanoTime()))
        .completion().await(10, TimeUnit.SECONDS);
      long written = System.nanoTime();
      upsert(nodeB, user(8, "Third"));
      await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).until(() -> {
        for (int i = 0; i < 6; i++) {
          if (!"Third".equals(Bus.call(nodeA, StoreAddresses.GET, new JsonObject().put("id", 8)).getString("name"))) {
            return false;
          }
        }
        return true;
      });
      System.out.printf("store hot rows: the change heard on the other node %.1f ms after the write was sent; every read new after %.1f ms%n",
        (heard.get(1, TimeUnit.SECONDS) - written) / 1e6, (System.nanoTime() - written) / 1e6);
    } finally {
      nodeA.close().await(30, TimeUnit.SECONDS);
      nodeB.close().await(30, TimeUnit.SECONDS);
    }
  }
}
