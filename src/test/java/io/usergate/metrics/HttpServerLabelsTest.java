package io.usergate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class HttpServerLabelsTest {

  @Test
  @DisplayName("Vert.x's joined routes lose their repeats and the catch-all / that passed the request on; a single route is as it was")
  void routes() {
    assertEquals("/users/:id", HttpServerLabels.route("/users/:id"));
    assertEquals("", HttpServerLabels.route(""));
    assertEquals("/", HttpServerLabels.route("/"));
    assertEquals("/", HttpServerLabels.route("/>/"));
    assertEquals("/sync", HttpServerLabels.route("/sync>/sync"));
    assertEquals("/sync/walk", HttpServerLabels.route("/>/sync/walk"));
    assertEquals("/eventbus/", HttpServerLabels.route("/eventbus/>/eventbus/>/"));
    assertEquals("/eventbus/>/websocket", HttpServerLabels.route("/eventbus/>/websocket"));
  }

  @Test
  @DisplayName("the latency of every method and code of a route is one histogram by route; the request counter keeps route, method and code")
  void latencyByRouteAlone() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new HttpServerLabels()).meterFilter(new LatencyHistograms());
    for (String[] answer : new String[][] {{"GET", "200", "/sync"}, {"POST", "202", "/sync>/sync"}, {"PUT", "405", "/>/sync"}}) {
      Tags tags = Tags.of("route", answer[2], "method", answer[0], "code", answer[1]);
      Timer.builder("vertx.http.server.response.time").tags(tags).register(registry).record(Duration.ofMillis(2));
      Counter.builder("vertx.http.server.requests").tags(tags).register(registry).increment();
    }
    Timer latency = registry.find("vertx.http.server.response.time").timer();
    assertNotNull(latency);
    assertEquals(1, registry.find("vertx.http.server.response.time").timers().size(), "one histogram");
    assertEquals(Tags.of("route", "/sync"), Tags.of(latency.getId().getTags()));
    assertEquals(3, latency.count());
    assertEquals(3, registry.find("vertx.http.server.requests").tag("route", "/sync").counters().size(),
      "the counter by route, method and code, the route cleaned");
    assertEquals(LatencyHistograms.BUCKETS, registry.scrape().lines()
      .filter(line -> line.startsWith("vertx_http_server_response_time_seconds_bucket")).count());
  }
}
