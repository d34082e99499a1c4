package io.usergate.cluster;

import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreVerticle;
import io.usergate.support.Bus;
import io.usergate.support.ClusterNodes;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.sync.SyncAddresses;
import io.usergate.sync.SyncVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two clustered Vert.x nodes (Hazelcast on loopback) on the same PostgreSQL. */
class ClusterTest {

  private static Vertx nodeA;
  private static Vertx nodeB;
  private static FakeDirectory upstream;
  private static JsonObject config;

  @BeforeAll
  static void formCluster() throws Exception {
    ClusterNodes.useFreshCluster(5811);
    nodeA = ClusterNodes.start();
    nodeB = ClusterNodes.start();
    upstream = new FakeDirectory().deployOn(nodeA);
    config = TestConfig.forTests();
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl()).put("breakerEnabled", false);
    config.getJsonObject("sync").put("intervalMs", 20).put("batchSize", 200).put("leaseMs", 10_000);
  }

  @AfterAll
  static void leaveCluster() throws Exception {
    nodeA.close().await(30, TimeUnit.SECONDS);
    nodeB.close().await(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void cleanTables() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    upstream.clear();
  }

  @Test
  @DisplayName("usergate.fetch.one sent on node A is answered when only node B deploys the fetch verticle; then both drain 5,000 jobs, none twice, none lost")
  void acrossNodes() throws Exception {
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    nodeB.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
    nodeB.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);

    JsonObject user = Bus.call(nodeA, FetchAddresses.ONE, new JsonObject().put("id", 7));
    assertEquals(FakeDirectory.user(7), user, "node A asked, node B answered");
    Bus.failure(nodeA, FetchAddresses.ONE, new JsonObject().put("id", ""), "BAD_REQUEST", 400);

    nodeA.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
    nodeA.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);
    List<JsonObject> progress = new CopyOnWriteArrayList<>();
    nodeA.eventBus().<JsonObject>consumer(SyncAddresses.PROGRESS, message -> progress.add(message.body()))
      .completion().await(10, TimeUnit.SECONDS);
    nodeA.deployVerticle(new SyncVerticle(), options).await(10, TimeUnit.SECONDS);
    nodeB.deployVerticle(new SyncVerticle(), options).await(10, TimeUnit.SECONDS);
    upstream.clear().defaultDelay(2);
    for (int from = 1; from <= 5000; from += 2500) {
      JsonArray ids = new JsonArray();
      for (long id = from; id < from + 2500; id++) {
        ids.add(id);
      }
      Bus.call(nodeB, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", ids));
    }
    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE state = 'done'", 5000, 90_000);
    assertEquals(5000, upstream.totalCalls(), "no job fetched by both nodes");
    assertEquals(5000, Sql.count("SELECT count(*) FROM users"));
    assertEquals(2, progress.stream().map(p -> p.getString("owner")).distinct().count(),
      "both nodes' syncs took part (progress is published cluster-wide)");
  }
}
