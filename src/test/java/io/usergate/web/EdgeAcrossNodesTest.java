package io.usergate.web;

import io.usergate.MainVerticle;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Bus;
import io.usergate.support.ClusterNodes;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The web edge's copies (cache hits of {@code GET /users/{id}}) across two clustered nodes. Node A runs
 * only the web verticle and node B the store and fetch, so every request A's web sends goes to B: the edge
 * on A holds what another node's fetch answered, and must let it go when that fetch does
 * (the node's one cache, dropped through usergate.user.changed), whatever changed the user.
 */
class EdgeAcrossNodesTest {

  private Vertx nodeA;
  private Vertx nodeB;
  private FakeDirectory upstream;
  private WebClient client;
  private int port;
  /** The requests node A's web sent to fetch: a hit at the edge sends none. */
  private AtomicInteger askedOfFetch;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE user_changes");
    ClusterNodes.useFreshCluster(5851);
    nodeA = ClusterNodes.start();
    nodeB = ClusterNodes.start();
    upstream = new FakeDirectory().deployOn(nodeB);
    JsonObject config = TestConfig.against(upstream);
    TestConfig.withCache(config, 60_000L);
    config.getJsonObject("http").put("drainDelayMs", 0);
    Stack.deploy(nodeB, MainVerticle.STORE, new StoreVerticle(), config);
    Stack.deploy(nodeB, MainVerticle.FETCH, new FetchVerticle(), config);
    HttpVerticle web = new HttpVerticle();
    Stack.deploy(nodeA, MainVerticle.WEB, web, config);
    port = web.actualPort();
    client = WebClient.create(nodeA);
    askedOfFetch = Bus.countSent(nodeA, FetchAddresses.ONE);
  }

  @AfterEach
  void close() throws Exception {
    nodeA.close().await(30, TimeUnit.SECONDS);
    nodeB.close().await(30, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> get(String uri) throws Exception {
    return client.get(port, "127.0.0.1", uri).send().await(30, TimeUnit.SECONDS);
  }

  /** Asks node A until it answers {@code name} for user 7; the milliseconds since {@code since} (a nanoTime). */
  private double untilAnswered(String name, long since) {
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
      .until(() -> name.equals(get("/users/7").bodyAsJsonObject().getString("name")));
    return (System.nanoTime() - since) / 1e6;
  }

  /** Fills node A's edge with user 7 as node B's fetch answered it, and checks that the next read is a hit there. */
  private void hitAtTheEdge(String name) throws Exception {
    get("/users/7");
    int asked = askedOfFetch.get();
    HttpResponse<Buffer> hit = get("/users/7");
    assertEquals("usergate; hit", hit.getHeader("Cache-Status"));
    assertEquals(name, hit.bodyAsJsonObject().getString("name"));
    assertEquals(asked, askedOfFetch.get(), "a hit is answered by node A's web itself");
  }

  @Test
  @DisplayName("a write that is not fetch's write-through (here a store.upsert from node A, made by node B's store) drops "
    + "B's fetch's copy by the change feed, and node A's edge lets its own go")
  void aWriteThatIsNotTheWriteThrough() throws Exception {
    hitAtTheEdge("Fake 7");
    assertEquals(1, upstream.calls(7));
    JsonObject renamed = FakeDirectory.user(7).put("name", "Written 7");
    long written = System.nanoTime();
    // Made by the store of the fetch's own node, as the sync's writes or any other caller's may be: not news
    // to that fetch only if its own write-through made it.
    Bus.call(nodeA, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(renamed)));
    double ms = untilAnswered("Written 7", written);
    assertEquals(1, upstream.calls(7), "the new copy is the mirror's, fresh: no upstream call");
    hitAtTheEdge("Written 7");
    System.out.printf("edge across nodes: a direct write served new on the other node after %.1f ms%n", ms);
  }

  @Test
  @DisplayName("a user fetched live on node B with a new content: B's fetch replaces its copy, and node A's edge lets its own go")
  void aLiveFetchOnTheOtherNode() throws Exception {
    hitAtTheEdge("Fake 7");
    upstream.script(7, FakeDirectory.Behaviour.RENAMED, 0);
    long fetched = System.nanoTime();
    assertEquals("Renamed 7", Bus.call(nodeB, FetchAddresses.ONE, new JsonObject().put("id", 7).put(FetchAddresses.NO_CACHE, true))
      .getString("name"));
    double ms = untilAnswered("Renamed 7", fetched);
    assertEquals(2, upstream.calls(7), "the new copy is B's fetch's own: no upstream call for node A's reads");
    hitAtTheEdge("Renamed 7");
    System.out.printf("edge across nodes: a live fetch on the other node served new after %.1f ms%n", ms);
  }
}
