package io.usergate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashMap;
import java.util.Map;

/**
 * A counter with one label whose values are a fixed set the code names (never what a caller sent),
 * each looked up in the registry once instead of on every increment, which showed in the live path's
 * profile. Confined to the context of the verticle that holds it; nothing is counted without metrics.
 */
public final class CounterFamily {

  private final String name;
  private final String description;
  private final String label;
  private MeterRegistry countedIn;
  private final Map<String, Counter> counters = new HashMap<>();

  public CounterFamily(String name, String description, String label) {
    this.name = name;
    this.description = description;
    this.label = label;
  }

  public void increment(String value) {
    MeterRegistry registry = Metrics.registry().orElse(null);
    if (registry == null) {
      return;
    }
    if (registry != countedIn) {
      counters.clear();
      countedIn = registry;
    }
    counters.computeIfAbsent(value, v -> Counter.builder(name).description(description).tag(label, v).register(registry))
      .increment();
  }
}
