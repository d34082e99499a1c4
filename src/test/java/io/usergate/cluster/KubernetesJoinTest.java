package io.usergate.cluster;

import io.usergate.config.Configuration;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * cluster.join=kubernetes for real: Hazelcast's Kubernetes discovery in DNS mode, on a name that resolves
 * to loopback (localhost) as a headless Service's name resolves to the pods. The manifests' side (the name,
 * the ports) is OpsManifestsTest's.
 */
class KubernetesJoinTest {

  @Test
  @DisplayName("two nodes with cluster.join=kubernetes on a DNS name that resolves to them form one cluster, and their event buses reach each other")
  void nodesFindEachOtherByDnsName() throws Exception {
    // A cluster of its own (name and first port), so that it never meets another test's or a running service.
    JsonObject cluster = Configuration.load(new Configuration.Sources(null, null, Map.of(
      "USERGATE_CLUSTER_JOIN", "kubernetes",
      "USERGATE_CLUSTER_KUBERNETES_SERVICE", "localhost",
      "USERGATE_CLUSTER_NAME", "usergate-test-" + UUID.randomUUID().toString().substring(0, 8),
      "USERGATE_CLUSTER_PORT", "5871"), Map.of())).config().getJsonObject("cluster");
    HazelcastClusterManager firstMembers = new HazelcastClusterManager(HazelcastConfigs.from(cluster));
    HazelcastClusterManager secondMembers = new HazelcastClusterManager(HazelcastConfigs.from(cluster));
    Vertx first = start(cluster, firstMembers);
    Vertx second = null;
    try {
      second = start(cluster, secondMembers);
      // The joiner knows the members when its start completes; the first learns of it from Hazelcast's membership event.
      assertEquals(2, secondMembers.getNodes().size(), "the second node sees both");
      await().atMost(Duration.ofSeconds(10)).until(() -> firstMembers.getNodes().size() == 2);
      second.eventBus().consumer("usergate.test.k8s", message -> message.reply("from the second node")).completion()
        .await(10, TimeUnit.SECONDS);
      assertEquals("from the second node", first.eventBus().request("usergate.test.k8s", "hello").await(10, TimeUnit.SECONDS).body());
    } finally {
      if (second != null) {
        second.close().await(30, TimeUnit.SECONDS);
      }
      first.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** A clustered Vert.x as the launcher makes it: Hazelcast configured by HazelcastConfigs, the bus on cluster.host. */
  private static Vertx start(JsonObject cluster, HazelcastClusterManager members) throws Exception {
    return Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(cluster.getString("host"))))
      .withClusterManager(members)
      .buildClustered()
      .await(60, TimeUnit.SECONDS);
  }
}
