package io.usergate.cluster;

import io.usergate.config.Configuration;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The clustered event bus's options as the launcher, the tests and the benchmarks get them. */
class ClusteredVertxTest {

  private final JsonObject cluster = Configuration.withOverrides(
    new JsonObject().put("cluster", new JsonObject().put("host", "10.1.2.3"))).getJsonObject("cluster");

  @Test
  void theEventBusListensOnTheClusterHostAndPrefersTheNativeTransport() {
    VertxOptions options = ClusteredVertx.configure(new VertxOptions(), cluster);
    assertEquals("10.1.2.3", options.getEventBusOptions().getHost());
    assertTrue(options.getPreferNativeTransport());
  }

  @Test
  void aHostGivenToVertxIsKept() {
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("10.9.9.9"));
    assertEquals("10.9.9.9", ClusteredVertx.configure(options, cluster).getEventBusOptions().getHost());
  }
}
