package io.usergate.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The Hazelcast configuration of {@code -cluster}, built from the {@code cluster} section: the project's
 * {@code cluster.xml} (no multicast, one interface, phone-home off, the Vert.x maps' backups) with its
 * {@code ${usergate.cluster.*}} placeholders filled from that section, then the join that
 * {@code cluster.join} names. The XML stays the one description of everything else, so that a TCP-IP
 * cluster and a Kubernetes one differ only in how members find each other.
 */
public final class HazelcastConfigs {

  /** {@code cluster.join}: the fixed member list of {@code cluster.members} (the default). */
  public static final String TCP = "tcp";
  /** {@code cluster.join}: every address the headless Service's DNS name resolves to. */
  public static final String KUBERNETES = "kubernetes";

  private HazelcastConfigs() {
  }

  /** The Hazelcast configuration for {@code cluster} (the resolved, checked {@code cluster} section). */
  public static Config from(JsonObject cluster) {
    // Explicit properties instead of system properties: the section is the only input, which also lets
    // a test build the configuration of any section without touching the JVM's global state.
    Properties placeholders = new Properties();
    cluster.forEach(entry -> {
      if (entry.getValue() != null) {
        placeholders.setProperty("usergate.cluster." + entry.getKey(), String.valueOf(entry.getValue()));
      }
    });
    Config config;
    try (InputStream xml = HazelcastConfigs.class.getResourceAsStream("/cluster.xml")) {
      if (xml == null) {
        throw new IllegalStateException("cluster.xml is missing from the classpath");
      }
      config = new XmlConfigBuilder(xml).setProperties(placeholders).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (KUBERNETES.equals(cluster.getString("join"))) {
      JoinConfig join = config.getNetworkConfig().getJoin();
      // Hazelcast refuses two joins at once; the XML's TCP-IP list (127.0.0.1 by default) would be wrong anyway.
      join.getTcpIpConfig().setEnabled(false);
      // DNS lookup mode: a headless Service resolves to the pods' addresses. Unlike the API mode it needs no
      // service account, Role or RoleBinding, only the Service (publishNotReadyAddresses, so that pods that
      // are still starting, and therefore not ready, find each other instead of forming a cluster each).
      join.getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", cluster.getString("kubernetesService"))
        .setProperty("service-port", String.valueOf(cluster.getInteger("port")));
    }
    return config;
  }
}
