package io.usergate.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The clustered Vert.x of {@code -cluster}, in one place for the launcher and for the tests and
 * benchmarks that start clustered nodes in one JVM, so that what they measure is what ships: Hazelcast
 * configured by {@link HazelcastConfigs}, the event bus on {@code cluster.host}, and its transport.
 */
public final class ClusteredVertx {

  private ClusteredVertx() {
  }

  /** Sets the clustered event bus's options from {@code cluster} (the resolved section) on {@code options}. */
  public static VertxOptions configure(VertxOptions options, JsonObject cluster) {
    EventBusOptions bus = options.getEventBusOptions();
    // The clustered event bus listens on the same interface as Hazelcast, not on a guessed one.
    if (bus.getHost() == null) {
      bus.setHost(cluster.getString("host"));
    }
    // Epoll where netty-transport-native-epoll loads (Linux x86_64); elsewhere Vert.x falls back to NIO.
    options.setPreferNativeTransport(true);
    return options;
  }

  /** A builder of a clustered Vert.x: {@code options} configured for {@code cluster}, with its Hazelcast. */
  public static VertxBuilder builder(VertxOptions options, JsonObject cluster) {
    return Vertx.builder()
      .with(configure(options, cluster))
      .withClusterManager(new HazelcastClusterManager(HazelcastConfigs.from(cluster)));
  }
}
