package io.usergate.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyHistogramsTest {

  private static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new LatencyHistograms());
    return registry;
  }

  private static List<String> lines(PrometheusMeterRegistry registry, String prefix) {
    return registry.scrape().lines().filter(line -> line.startsWith(prefix)).toList();
  }

  @Test
  @DisplayName("a timer is a histogram of the 10 bounds and +Inf, in seconds, even one that asks for percentiles and a percentile histogram")
  void timerIsAHistogramOfTheFixedBuckets() {
    PrometheusMeterRegistry registry = registry();
    Timer timer = Timer.builder("usergate.test.wait").publishPercentiles(0.5, 0.99).publishPercentileHistogram()
      .register(registry);
    timer.record(Duration.ofNanos(300_000));
    timer.record(Duration.ofMillis(30));
    timer.record(Duration.ofSeconds(3));
    List<String> buckets = lines(registry, "usergate_test_wait_seconds_bucket");
    // The Prometheus client writes 0.0005 as 5.0E-4 (a float Prometheus parses).
    assertEquals(List.of("5.0E-4", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.1", "0.25", "1.0", "2.5", "+Inf"),
      buckets.stream().map(line -> line.replaceAll(".*le=\"([^\"]+)\".*", "$1")).toList());
    assertEquals(LatencyHistograms.BUCKETS, buckets.size());
    assertTrue(buckets.contains("usergate_test_wait_seconds_bucket{le=\"5.0E-4\"} 1"), buckets.toString());
    assertTrue(buckets.contains("usergate_test_wait_seconds_bucket{le=\"0.1\"} 2"), buckets.toString());
    assertTrue(buckets.contains("usergate_test_wait_seconds_bucket{le=\"+Inf\"} 3"), buckets.toString());
    assertEquals(List.of("usergate_test_wait_seconds_count 3"), lines(registry, "usergate_test_wait_seconds_count"));
    assertFalse(registry.scrape().contains("quantile"), "no client-side quantiles");
  }

  @Test
  @DisplayName("a summary (bytes, ids in a call) and a timer of no wait (a pool's use, a GC pause) are a count, a sum and a max: no bucket, no quantile")
  void summariesAndOtherTimersAreCountSumMax() {
    PrometheusMeterRegistry registry = registry();
    DistributionSummary bytes = DistributionSummary.builder("usergate.test.response").baseUnit("bytes")
      .publishPercentiles(0.99).publishPercentileHistogram().serviceLevelObjectives(100, 1000).register(registry);
    bytes.record(120);
    bytes.record(5000);
    Timer use = Timer.builder("vertx.pool.usage").publishPercentileHistogram().register(registry);
    use.record(Duration.ofMillis(3));
    assertEquals(List.of("usergate_test_response_bytes_count 2", "usergate_test_response_bytes_max 5000.0",
      "usergate_test_response_bytes_sum 5120.0"), lines(registry, "usergate_test_response_bytes").stream().sorted().toList());
    assertEquals(3, lines(registry, "vertx_pool_usage_seconds").size(), lines(registry, "vertx_pool_usage_seconds").toString());
    assertFalse(registry.scrape().contains("_bucket"), registry.scrape());
    assertFalse(registry.scrape().contains("quantile"), registry.scrape());
  }
}
