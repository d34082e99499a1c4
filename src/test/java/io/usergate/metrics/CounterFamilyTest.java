package io.usergate.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CounterFamilyTest {

  @Test
  @DisplayName("one series per label value, counted in the registry of the Vert.x that runs, and nothing without metrics")
  void countsPerValue() throws Exception {
    CounterFamily calls = new CounterFamily("usergate.test.calls", "calls, by outcome", "outcome");
    calls.increment("ok");
    for (int round = 0; round < 2; round++) {
      // A registry per Vert.x (tests start several in one JVM): the counters follow the one that runs now.
      Vertx vertx = Metrics.vertxBuilder(new VertxOptions()).build();
      try {
        MeterRegistry registry = Metrics.registry().orElseThrow();
        calls.increment("ok");
        calls.increment("ok");
        calls.increment("timeout");
        assertEquals(2.0, registry.find("usergate.test.calls").tag("outcome", "ok").counter().count());
        assertEquals(1.0, registry.find("usergate.test.calls").tag("outcome", "timeout").counter().count());
        assertNull(registry.find("usergate.test.calls").tag("outcome", "error").counter());
        assertEquals("calls, by outcome", registry.find("usergate.test.calls").counter().getId().getDescription());
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }
}
