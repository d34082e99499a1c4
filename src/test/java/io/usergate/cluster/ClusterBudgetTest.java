package io.usergate.cluster;

import io.usergate.MainVerticle;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Bus;
import io.usergate.support.ClusterNodes;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** upstream.budget = cluster on two clustered Vert.x nodes (Hazelcast on loopback). */
class ClusterBudgetTest {

  @Test
  @DisplayName("with a cluster budget of 4 in flight, two nodes take 2 each and the upstream never sees more than 4; a node that leaves gives its share back")
  void sharedBudget() throws Exception {
    TestDatabase.execute("TRUNCATE users");
    ClusterNodes.useFreshCluster(5831);
    Vertx nodeA = ClusterNodes.start();
    Vertx nodeB = ClusterNodes.start();
    try {
      FakeDirectory upstream = new FakeDirectory().defaultDelay(200).deployOn(nodeA);
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl()).put("breakerEnabled", false)
        .put("maxConcurrent", 4).put("budget", "cluster");
      for (Vertx node : new Vertx[] {nodeA, nodeB}) {
        Stack.deploy(node, MainVerticle.STORE, new StoreVerticle(), config);
        Stack.deploy(node, MainVerticle.FETCH, new FetchVerticle(), config);
      }
      for (Vertx node : new Vertx[] {nodeA, nodeB}) {
        await().atMost(Duration.ofSeconds(20)).until(() ->
          Bus.call(node, FetchAddresses.STATUS, new JsonObject()).getInteger("maxConcurrent") == 2);
      }
      // 8 requests of 5 distinct ids at once, spread over both nodes by the clustered bus, each id answered after 200 ms.
      List<Future<?>> requests = new ArrayList<>();
      for (int r = 0; r < 8; r++) {
        requests.add((r % 2 == 0 ? nodeA : nodeB).eventBus().request(FetchAddresses.MANY,
          new JsonObject().put("ids", ids(r * 100 + 1, r * 100 + 5))));
      }
      Future.all(requests).await(60, TimeUnit.SECONDS);
      assertEquals(40, upstream.totalCalls());
      assertTrue(upstream.maxInFlight() <= 4, "the upstream saw " + upstream.maxInFlight() + " in flight at once (budget 4)");
      assertTrue(upstream.maxInFlight() >= 2, "the budget was used");

      nodeB.close().await(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() ->
        Bus.call(nodeA, FetchAddresses.STATUS, new JsonObject()).getInteger("maxConcurrent") == 4);
    } finally {
      nodeA.close().await(30, TimeUnit.SECONDS);
      nodeB.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("with a cluster rate of 40 a second, a node that joins and then leaves under load: the directory never sees "
    + "more than 40 in any one-second window, and the shares go 40, 20 + 20, 40")
  void sharedRateWhileNodesJoinAndLeave() throws Exception {
    TestDatabase.execute("TRUNCATE users");
    ClusterNodes.useFreshCluster(5851);
    // The directory on a Vert.x of its own, so that it outlives both nodes and counts every arrival.
    Vertx directory = Vertx.vertx();
    Vertx nodeA = ClusterNodes.start();
    Vertx nodeB = null;
    try {
      FakeDirectory upstream = new FakeDirectory().deployOn(directory);
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl()).put("breakerEnabled", false)
        .put("maxConcurrent", 8).put("maxRatePerSecond", 40).put("budget", "cluster").put("queueTimeoutMs", 120_000)
        // The directory counts arrivals on the two cores that also run both nodes, Hazelcast's join and the
        // suite: a call can arrive later than it left by tens of milliseconds (a stalled event loop), more
        // than a LAN's jitter that the default 20 ms margin is for.
        .put("rateMarginMs", 100);
      Stack.deploy(nodeA, MainVerticle.STORE, new StoreVerticle(), config);
      Stack.deploy(nodeA, MainVerticle.FETCH, new FetchVerticle(), config);
      assertEquals(40.0, rate(nodeA));

      // Each node's misses sent to its own fetch verticle, so that each node's load is known.
      List<Future<?>> onA = new ArrayList<>(send(nodeA, 1, 240));
      // B joins while A works through its 240 misses (6 s at 40 a second; B takes some seconds to start).
      nodeB = ClusterNodes.start();
      Stack.deploy(nodeB, MainVerticle.STORE, new StoreVerticle(), config);
      Stack.deploy(nodeB, MainVerticle.FETCH, new FetchVerticle(), config);
      Vertx joined = nodeB;
      await().atMost(Duration.ofSeconds(20)).until(() -> rate(nodeA) + rate(joined) == 40.0);
      assertEquals(20.0, rate(nodeA));
      onA.addAll(send(nodeA, 2001, 2100));
      List<Future<?>> onB = send(nodeB, 1001, 1060);
      Future.all(onB).await(60, TimeUnit.SECONDS);
      // B leaves while A still has misses queued; A takes the whole rate back.
      long pendingOnA = onA.stream().filter(request -> !request.isComplete()).count();
      assertTrue(pendingOnA > 10, "A still has misses to fetch when B leaves: " + pendingOnA);
      nodeB.close().await(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> rate(nodeA) == 40.0);
      Future.all(onA).await(120, TimeUnit.SECONDS);

      assertEquals(400, upstream.totalCalls());
      int most = upstream.mostArrivalsInAnySecond();
      assertTrue(most <= 40, "at most 40 in any second across the cluster, saw " + most + " at (ms) " + upstream.busiestSecond());
    } finally {
      nodeA.close().await(30, TimeUnit.SECONDS);
      if (nodeB != null) {
        nodeB.close().await(30, TimeUnit.SECONDS);
      }
      directory.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** The rate this node's fetch verticle keeps to (its share), as usergate.fetch.status says. */
  private static double rate(Vertx node) throws Exception {
    return Bus.call(node, FetchAddresses.STATUS, new JsonObject()).getDouble("maxRatePerSecond");
  }

  /** fetch.one for each id, sent to {@code node}'s own fetch verticle. */
  private static List<Future<?>> send(Vertx node, long from, long to) {
    List<Future<?>> sent = new ArrayList<>();
    for (long id = from; id <= to; id++) {
      sent.add(node.eventBus().request(FetchAddresses.ONE, new JsonObject().put("id", id),
        new DeliveryOptions().setSendTimeout(120_000).setLocalOnly(true)));
    }
    return sent;
  }

  private static JsonArray ids(long from, long to) {
    return new JsonArray(LongStream.rangeClosed(from, to).boxed().toList());
  }
}
