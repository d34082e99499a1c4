package io.usergate.bench;

import io.usergate.bus.BusReplies;
import io.usergate.bus.SharedJsonCodec;
import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchVerticle;
import io.usergate.log.RequestIds;
import io.usergate.store.StoreVerticle;
import io.usergate.support.ClusterNodes;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Event-bus request/reply per second, local and node A → node B clustered (Hazelcast on loopback, the
 * nodes built as the launcher builds them: support/ClusterNodes), with the same body, codec, headers
 * and consumer, in the same run; and fan-out through one node against two: 10 concurrent fetch.many of 100 ids each
 * at 50 ms, upstream.maxConcurrent 20 per node, so two nodes have twice the permits.
 */
final class ClusterBench {

  private static final String ECHO = "usergate.bench.echo";

  static void run(Report report) throws Exception {
    // The local baseline runs the transport the launcher picks for a clustered node, so that only the hop differs.
    Vertx local = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    ClusterNodes.useFreshCluster(5891);
    Vertx nodeA = ClusterNodes.start();
    Vertx nodeB = ClusterNodes.start();
    try {
      // Both runs do a usergate verticle's work: the request as FetchVerticle sends one to the store (the
      // shared codec, the node and request-id headers), answered through BusReplies (its reply options:
      // the shared codec, without a copy locally, in its binary form between nodes).
      for (Vertx vertx : List.of(local, nodeA, nodeB)) {
        SharedJsonCodec.register(vertx);
      }
      local.eventBus().consumer(ECHO, ClusterBench::echo).completion().await(10, TimeUnit.SECONDS);
      nodeB.eventBus().consumer(ECHO, ClusterBench::echo).completion().await(10, TimeUnit.SECONDS);
      JsonObject body = new JsonObject().put("id", 7);
      StoreBench.closedLoop(20_000, 64, i -> request(local, body));
      StoreBench.closedLoop(20_000, 64, i -> request(nodeA, body));
      double localRate = StoreBench.closedLoop(100_000, 64, i -> request(local, body));
      double clusteredRate = StoreBench.closedLoop(100_000, 64, i -> request(nodeA, body));
      report.add("bus request/reply, node A → node B clustered, 64 in flight", clusteredRate, "req/s",
        "the same, local (one Vert.x)", localRate, "(the price of the network hop)");

      TestDatabase.execute("TRUNCATE users");
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("demo").put("port", 0).put("latencyMs", 50).put("jitterMs", 0).put("users", 1_000_000);
      DemoDirectoryVerticle demo = new DemoDirectoryVerticle();
      local.deployVerticle(demo, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
      config.getJsonObject("upstream").put("baseUrl", "http://127.0.0.1:" + demo.actualPort()).put("maxConcurrent", 20);
      DeploymentOptions options = new DeploymentOptions().setConfig(config);
      nodeA.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
      nodeA.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);
      fanOut(nodeA);
      double oneNode = fanOut(nodeA);
      nodeB.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
      nodeB.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);
      fanOut(nodeA);
      double twoNodes = fanOut(nodeA);
      report.add("10 × fetch.many of 100 ids at 50 ms, maxConcurrent 20 per node: two nodes (ms)", twoNodes, "ms",
        "one node", oneNode, "→ 0.5 (twice the permits)");
    } finally {
      nodeA.close().await(30, TimeUnit.SECONDS);
      nodeB.close().await(30, TimeUnit.SECONDS);
      local.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Future<Void> request(Vertx from, JsonObject body) {
    return from.eventBus().request(ECHO, body, RequestIds.with(SharedJsonCodec.sharedRequestOptions(from))).mapEmpty();
  }

  private static void echo(Message<Object> message) {
    BusReplies.answer(message, Future::succeededFuture);
  }

  private static long nextId = 1;

  /** Ten concurrent fan-outs of 100 fresh ids sent from node A; returns the milliseconds until all are answered. */
  private static double fanOut(Vertx from) throws Exception {
    List<Future<Object>> requests = new ArrayList<>();
    long start = System.nanoTime();
    for (int r = 0; r < 10; r++) {
      JsonArray ids = new JsonArray();
      for (int i = 0; i < 100; i++) {
        ids.add(nextId++);
      }
      requests.add(from.eventBus().request(FetchAddresses.MANY, new JsonObject().put("ids", ids).put("mode", "all"))
        .map(reply -> reply.body()));
    }
    Future.all(requests).await(120, TimeUnit.SECONDS);
    return (System.nanoTime() - start) / 1e6;
  }

  private ClusterBench() {
  }
}
