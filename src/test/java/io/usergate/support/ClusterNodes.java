package io.usergate.support;

import io.usergate.cluster.ClusteredVertx;
import io.usergate.config.Configuration;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Clustered Vert.x nodes in this JVM, built as the launcher builds them with {@code -cluster}
 * ({@link ClusteredVertx}: the project's cluster.xml through HazelcastConfigs, the event bus's options),
 * on loopback, under a cluster name of their own so they never meet another test run or a running service.
 */
public final class ClusterNodes {

  private static JsonObject cluster;

  private ClusterNodes() {
  }

  /** Picks a fresh cluster name on {@code port} (the next 19 are tried too); call once before {@link #start}. */
  public static synchronized String useFreshCluster(int port) {
    String name = "usergate-test-" + UUID.randomUUID().toString().substring(0, 8);
    cluster = Configuration.withOverrides(new JsonObject().put("cluster", new JsonObject()
      .put("name", name).put("host", "127.0.0.1").put("port", port).put("members", "127.0.0.1")))
      .getJsonObject("cluster");
    return name;
  }

  public static Vertx start() throws Exception {
    JsonObject section;
    synchronized (ClusterNodes.class) {
      section = cluster;
    }
    if (section == null) {
      throw new IllegalStateException("ClusterNodes.useFreshCluster first");
    }
    return ClusteredVertx.builder(new VertxOptions(), section)
      .buildClustered()
      .await(60, TimeUnit.SECONDS);
  }
}
