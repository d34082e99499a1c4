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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
    TestDatabase.execute(TestDatabase.pg(), "usergate", "TRUNCATE users");
    ClusterNodes.useFreshCluster(5831);
    Vertx nodeA = ClusterNodes.start();
    Vertx nodeB = ClusterNodes.start();
    try {
      FakeDirectory upstream = new FakeDirectory().defaultDelay(200);
      nodeA.deployVerticle(upstream).await(10, TimeUnit.SECONDS);
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
      java.util.List<Future<?>> requests = new java.util.ArrayList<>();
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

  private static JsonArray ids(long from, long to) {
    return new JsonArray(LongStream.rangeClosed(from, to).boxed().toList());
  }
}
