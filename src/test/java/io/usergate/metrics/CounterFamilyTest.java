package io.usergate.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

  @Test
  @DisplayName("with two labels, one series per pair of values; a wrong number of values is refused")
  void countsPerPair() throws Exception {
    CounterFamily answers = new CounterFamily("usergate.test.answers", "answers, by caller and code", "caller", "code");
    Vertx vertx = Metrics.vertxBuilder(new VertxOptions()).build();
    try {
      MeterRegistry registry = Metrics.registry().orElseThrow();
      answers.increment("billing", "200");
      answers.increment("billing", "200");
      answers.increment("billing", "429");
      answers.increment("anonymous", "200");
      assertEquals(2.0, registry.find("usergate.test.answers").tags("caller", "billing", "code", "200").counter().count());
      assertEquals(1.0, registry.find("usergate.test.answers").tags("caller", "billing", "code", "429").counter().count());
      assertEquals(1.0, registry.find("usergate.test.answers").tags("caller", "anonymous", "code", "200").counter().count());
      assertThrows(IllegalArgumentException.class, () -> answers.increment("billing"));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
