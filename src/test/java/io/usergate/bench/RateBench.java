package io.usergate.bench;

import io.usergate.MainVerticle;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreVerticle;
import io.usergate.support.ClusterNodes;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The paced rate ({@code upstream.maxRatePerSecond}) against the limit itself, where the directory counts:
 * misses queued well beyond the rate, the sustained rate of their arrivals (from the first to the last) as a
 * share of the limit, and the busiest one-second window. On one node, and on two nodes sharing a cluster
 * budget. The margin's cost shows in a row with {@code upstream.rateMarginMs} 0.
 */
final class RateBench {

  private static final int RATE = 100;
  private static final int MISSES = 800;

  static void run(Report report) throws Exception {
    for (int margin : new int[] {20, 0}) {
      Measured one = oneNode(margin);
      report.add("paced rate, one node, " + MISSES + " misses at once, upstream.maxRatePerSecond " + RATE
          + ", rateMarginMs " + margin + " (busiest second: " + one.busiest + ")", one.rate, "calls/s",
        "the limit", RATE, margin == 20 ? "≥ 0.97, busiest second ≤ " + RATE : "(what the margin costs)");
    }
    Measured two = twoNodes();
    report.add("paced rate, two nodes, budget cluster, " + MISSES + " misses on each, upstream.maxRatePerSecond " + RATE
        + " in all (busiest second: " + two.busiest + ")", two.rate, "calls/s", "the limit", RATE,
      "≥ 0.97, busiest second ≤ " + RATE);
  }

  /** The sustained rate the directory saw and its busiest second. */
  private record Measured(double rate, int busiest) {

    static Measured of(FakeDirectory directory) {
      List<Long> arrivals = directory.arrivals();
      Collections.sort(arrivals);
      double seconds = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1e9;
      return new Measured((arrivals.size() - 1) / seconds, directory.mostArrivalsInAnySecond());
    }
  }

  private static JsonObject config(FakeDirectory directory, int margin, String budget) {
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("upstream").put("baseUrl", directory.baseUrl()).put("breakerEnabled", false)
      .put("maxConcurrent", 16).put("maxRatePerSecond", RATE).put("rateMarginMs", margin).put("budget", budget)
      .put("queueTimeoutMs", 600_000);
    return config;
  }

  private static Measured oneNode(int margin) throws Exception {
    TestDatabase.execute("TRUNCATE users");
    Vertx directoryVertx = Vertx.vertx();
    Vertx vertx = Vertx.vertx();
    try {
      FakeDirectory directory = new FakeDirectory().deployOn(directoryVertx);
      warm(directoryVertx, directory);
      Stack.services(vertx, config(directory, margin, "node"));
      Future.all(misses(vertx, 1)).await(600, TimeUnit.SECONDS);
      return Measured.of(directory);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      directoryVertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Measured twoNodes() throws Exception {
    TestDatabase.execute("TRUNCATE users");
    ClusterNodes.useFreshCluster(5871);
    Vertx directoryVertx = Vertx.vertx();
    Vertx nodeA = ClusterNodes.start();
    Vertx nodeB = ClusterNodes.start();
    try {
      FakeDirectory directory = new FakeDirectory().deployOn(directoryVertx);
      warm(directoryVertx, directory);
      JsonObject config = config(directory, 20, "cluster");
      for (Vertx node : new Vertx[] {nodeA, nodeB}) {
        Stack.deploy(node, MainVerticle.STORE, new StoreVerticle(), config);
        Stack.deploy(node, MainVerticle.FETCH, new FetchVerticle(), config);
      }
      // Before the clock starts: one miss through each node, answered once its share's tokens flow (a node
      // that joined waits a settle time for its first one), then the directory's counts cleared.
      for (Vertx node : new Vertx[] {nodeA, nodeB}) {
        Future.all(misses(node, node == nodeA ? 9_000_001 : 9_100_001, 1)).await(60, TimeUnit.SECONDS);
      }
      directory.clear();
      List<Future<?>> all = new ArrayList<>(misses(nodeA, 1));
      all.addAll(misses(nodeB, 1_000_001));
      Future.all(all).await(600, TimeUnit.SECONDS);
      return Measured.of(directory);
    } finally {
      nodeA.close().await(30, TimeUnit.SECONDS);
      nodeB.close().await(30, TimeUnit.SECONDS);
      directoryVertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * 2,000 requests straight to the directory, then its counts cleared: a directory in a cold JVM takes
   * tens of milliseconds over its first requests while its classes load, and the calls that reach it
   * meanwhile are counted together when it gets to them, which a real directory, long warm, would not do.
   */
  private static void warm(Vertx vertx, FakeDirectory directory) throws Exception {
    HttpClient client = vertx.createHttpClient();
    URI base = URI.create(directory.baseUrl());
    for (int i = 0; i < 2000; i++) {
      client.request(HttpMethod.GET, base.getPort(), base.getHost(), "/users/" + (5_000_000 + i))
        .compose(request -> request.send().compose(HttpClientResponse::body))
        .await(10, TimeUnit.SECONDS);
    }
    client.close().await(10, TimeUnit.SECONDS);
    directory.clear();
  }

  /** {@link #MISSES} distinct ids from {@code from}, each a fetch.one to this node's own fetch verticle. */
  private static List<Future<?>> misses(Vertx node, long from) {
    return misses(node, from, MISSES);
  }

  /** {@code count} distinct ids from {@code from}, each a fetch.one to this node's own fetch verticle. */
  private static List<Future<?>> misses(Vertx node, long from, int count) {
    List<Future<?>> sent = new ArrayList<>();
    for (long id = from; id < from + count; id++) {
      sent.add(node.eventBus().request(FetchAddresses.ONE, new JsonObject().put("id", id),
        new DeliveryOptions().setSendTimeout(600_000).setLocalOnly(true)));
    }
    return sent;
  }

  private RateBench() {
  }
}
