package io.usergate.support;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Clustered Vert.x nodes in this JVM, joined through the project's own cluster.xml on loopback, under a
 * cluster name of their own so they never meet another test run or a running service.
 */
public final class ClusterNodes {

  private ClusterNodes() {
  }

  /** Sets the properties cluster.xml reads; call once before {@link #start}. */
  public static String useFreshCluster(int port) {
    String name = "usergate-test-" + UUID.randomUUID().toString().substring(0, 8);
    System.setProperty("usergate.cluster.name", name);
    System.setProperty("usergate.cluster.host", "127.0.0.1");
    System.setProperty("usergate.cluster.port", String.valueOf(port));
    System.setProperty("usergate.cluster.members", "127.0.0.1");
    return name;
  }

  public static Vertx start() throws Exception {
    return Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
      .withClusterManager(new HazelcastClusterManager())
      .buildClustered()
      .await(60, TimeUnit.SECONDS);
  }
}
