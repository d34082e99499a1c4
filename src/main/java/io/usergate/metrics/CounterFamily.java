package io.usergate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A counter with one or more labels whose values are a fixed set the code names (never what a caller sent),
 * each series looked up in the registry once instead of on every increment, which showed in the live path's
 * profile. Confined to the context of the verticle that holds it; nothing is counted without metrics.
 */
public final class CounterFamily {

  private final String name;
  private final String description;
  private final String[] labels;
  private MeterRegistry countedIn;
  private final Map<String, Counter> byValue = new HashMap<>();
  private final Map<List<String>, Counter> byValues = new HashMap<>();

  public CounterFamily(String name, String description, String... labels) {
    if (labels.length == 0) {
      throw new IllegalArgumentException("a counter family has at least one label");
    }
    this.name = name;
    this.description = description;
    this.labels = labels.clone();
  }

  /** One more of the series whose labels have {@code values}, in the order the labels were named. */
  public void increment(String... values) {
    if (values.length != labels.length) {
      throw new IllegalArgumentException(name + " has the labels " + Arrays.toString(labels) + ", not " + values.length + " values");
    }
    MeterRegistry registry = Metrics.registry().orElse(null);
    if (registry == null) {
      return;
    }
    if (registry != countedIn) {
      byValue.clear();
      byValues.clear();
      countedIn = registry;
    }
    // One label (the common case) keys by its value alone: no list to make on each increment.
    Counter counter = values.length == 1 ? byValue.computeIfAbsent(values[0], value -> register(registry, values))
      : byValues.computeIfAbsent(List.of(values), key -> register(registry, values));
    counter.increment();
  }

  private Counter register(MeterRegistry registry, String[] values) {
    Counter.Builder builder = Counter.builder(name).description(description);
    for (int i = 0; i < labels.length; i++) {
      builder.tag(labels[i], values[i]);
    }
    return builder.register(registry);
  }
}
