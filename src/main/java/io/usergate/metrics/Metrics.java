package io.usergate.metrics;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.lang.management.ManagementFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Metrics through vertx-micrometer-metrics, scraped by Prometheus at {@code GET /metrics}. HTTP server
 * metrics are labelled by route pattern ({@code /users/:id}), never by raw path, so ids never become
 * labels, and HTTP methods outside the standard set are all labelled {@value #OTHER_METHOD}: a caller
 * controls both, and each distinct value would add series. Timers of waits are histograms of ten fixed buckets,
 * other timers and summaries a count, a sum and a max ({@link LatencyHistograms}); the HTTP server's latency is by route alone
 * ({@link HttpServerLabels}): a node serves some 370 series idle, and fewer than 1,500 after a scanner's
 * worth of routes, methods, errors and ids ({@code MetricsBudgetTest}).
 */
public final class Metrics {

  /** The label of every HTTP method that is not one of RFC 9110's (plus PATCH). */
  public static final String OTHER_METHOD = "OTHER";

  /** Matches any method label except the standard ones. */
  private static final String NON_STANDARD_METHOD = "(?!(?:GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH)$).*";

  private Metrics() {
  }

  /**
   * A Vert.x builder with usergate's metrics: {@code options} with {@link #options()}, and {@link #factory()}.
   * Tests that check metrics build their Vert.x with it, as the launcher does.
   */
  public static VertxBuilder vertxBuilder(VertxOptions options) {
    return Vertx.builder().with(options.setMetricsOptions(options())).withMetrics(factory());
  }

  /**
   * Vert.x's metrics on a registry of usergate's: its filters are in place before Vert.x creates a meter
   * (the JVM's at start, the others as they are first used), which filters added later would miss.
   * One registry per Vert.x.
   */
  public static VertxMetricsFactory factory() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new HttpServerLabels()).meterFilter(new LatencyHistograms());
    return new MicrometerMetricsFactory(registry);
  }

  /** The Vert.x metrics options: with {@link #factory()} (alone, Vert.x would make a registry without its filters). */
  public static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      // No client-side quantiles: they made every timer and summary a histogram of 69 to 276 buckets.
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(false))
      // No event-bus side (local, remote): Vert.x makes each address's pending, processed and discarded for
      // both sides at once, 111 series of which a single node only ever uses the local half.
      .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME,
        Label.EB_ADDRESS, Label.EB_FAILURE))
      .addLabelMatch(new Match().setLabel(Label.HTTP_METHOD.toString()).setType(MatchType.REGEX)
        .setValue(NON_STANDARD_METHOD).setAlias(OTHER_METHOD));
  }

  /**
   * Micrometer's JVM binders register three meters whose Prometheus names break the conventions that
   * {@code promtool check metrics} enforces ({@code jvm_compilation_time_ms_total},
   * {@code process_cpu_time_ns_total}: abbreviated units; {@code system_cpu_count}: a gauge ending in
   * {@code _count}). They are replaced by conventional ones, {@code process_cpu_seconds_total} and
   * {@code system_cpus}; and {@code usergate_build_info{version}} says which build runs. Once per registry.
   */
  public static synchronized void conventional(MeterRegistry registry) {
    if (registry.find("usergate.build.info").gauge() != null) {
      return;
    }
    Set<String> unconventional = Set.of("jvm.compilation.time", "process.cpu.time", "system.cpu.count");
    registry.config().meterFilter(MeterFilter.deny(id -> unconventional.contains(id.getName())));
    List.copyOf(registry.getMeters()).stream().filter(meter -> unconventional.contains(meter.getId().getName())).forEach(registry::remove);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, system -> system.getProcessCpuTime() / 1e9)
        .baseUnit("seconds").description("CPU time used by this process").register(registry);
    }
    Gauge.builder("system.cpus", Runtime.getRuntime(), Runtime::availableProcessors)
      .description("processors available to the JVM").register(registry);
    String version = Metrics.class.getPackage().getImplementationVersion();
    Gauge.builder("usergate.build.info", () -> 1)
      .tag("version", version == null ? "development" : version).description("the usergate build: its version as a label")
      .register(registry);
  }

  /** The registry, when Vert.x runs with metrics (not in most unit tests). */
  public static Optional<MeterRegistry> registry() {
    return Optional.ofNullable(BackendRegistries.getDefaultNow());
  }
}
