package io.usergate.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KubernetesServiceLinksTest {

  @Test
  @DisplayName("every variable Kubernetes sets for a Service usergate (TCP 8080 named http, UDP 53) and usergate-metrics (IPv6) is a service link")
  void kubernetesVariables() {
    Map<String, String> links = Map.ofEntries(
      Map.entry("USERGATE_SERVICE_HOST", "10.0.0.11"),
      Map.entry("USERGATE_SERVICE_PORT", "8080"),
      Map.entry("USERGATE_SERVICE_PORT_HTTP", "8080"),
      Map.entry("USERGATE_SERVICE_PORT_DNS_UDP", "53"),
      Map.entry("USERGATE_PORT", "tcp://10.0.0.11:8080"),
      Map.entry("USERGATE_PORT_8080_TCP", "tcp://10.0.0.11:8080"),
      Map.entry("USERGATE_PORT_8080_TCP_PROTO", "tcp"),
      Map.entry("USERGATE_PORT_8080_TCP_PORT", "8080"),
      Map.entry("USERGATE_PORT_8080_TCP_ADDR", "10.0.0.11"),
      Map.entry("USERGATE_PORT_53_UDP", "udp://10.0.0.11:53"),
      Map.entry("USERGATE_PORT_53_UDP_PROTO", "udp"),
      Map.entry("USERGATE_PORT_53_UDP_PORT", "53"),
      Map.entry("USERGATE_PORT_53_UDP_ADDR", "10.0.0.11"),
      Map.entry("USERGATE_METRICS_SERVICE_HOST", "fd00:10::b"),
      Map.entry("USERGATE_METRICS_SERVICE_PORT", "9090"),
      Map.entry("USERGATE_METRICS_PORT", "tcp://[fd00:10::b]:9090"),
      Map.entry("USERGATE_METRICS_PORT_9090_SCTP", "sctp://[fd00:10::b]:9090"),
      Map.entry("USERGATE_METRICS_PORT_9090_SCTP_ADDR", "fd00:10::b"));
    assertAll(links.entrySet().stream().map(link -> () ->
      assertTrue(KubernetesServiceLinks.isServiceLink(link.getKey(), link.getValue()), link.getKey() + "=" + link.getValue())));
  }

  @Test
  @DisplayName("a name of that form whose value has not the shape Kubernetes gives it is no service link (a mistyped key, most likely)")
  void notServiceLinks() {
    Map<String, String> others = Map.ofEntries(
      Map.entry("USERGATE_POSTGRES_PORT", "5432"),
      Map.entry("USERGATE_HTTPS_PORT", "8443"),
      Map.entry("USERGATE_SERVICE_HOST", "usergate.example"),
      Map.entry("USERGATE_SERVICE_PORT", "http"),
      Map.entry("USERGATE_PORT_8080_TCP", "tcp://10.0.0.11:9090"),
      Map.entry("USERGATE_PORT_8080_TCP_PORT", "9090"),
      Map.entry("USERGATE_PORT_8080_UDP", "tcp://10.0.0.11:8080"),
      Map.entry("USERGATE_PORT_8080_TCP_PROTO", "udp"),
      Map.entry("USERGATE_PORT_8080_HTTP", "tcp://10.0.0.11:8080"),
      Map.entry("USERGATE_HTTP_PROT", "8080"),
      Map.entry("USERGATE_UPSTREAM_MAX_RATE_PER_SECND", "5"),
      Map.entry("OTHER_SERVICE_HOST", "10.0.0.12"));
    assertAll(others.entrySet().stream().map(other -> () ->
      assertFalse(KubernetesServiceLinks.isServiceLink(other.getKey(), other.getValue()), other.getKey() + "=" + other.getValue())));
  }
}
