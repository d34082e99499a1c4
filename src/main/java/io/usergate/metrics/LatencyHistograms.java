package io.usergate.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a timer and a distribution summary cost on a scrape. A timer of a wait (Vert.x's HTTP server and
 * client, SQL, a pool's queue; usergate's own, should it add one) is a Prometheus histogram of the same
 * {@link #BOUNDS}: {@value #BUCKETS} {@code _bucket} series with {@code +Inf}, and {@code _count},
 * {@code _sum}, {@code _max}. The other timers ({@link #NOT_WAITS}) and every distribution summary (bytes of
 * a request or a response, ids in a bulk call) are {@code _count}, {@code _sum} and {@code _max} only. No
 * client-side quantiles: they cannot be aggregated across nodes, and Vert.x's {@code publishQuantiles}
 * made each of them a histogram of 69 to 276 buckets.
 */
public final class LatencyHistograms implements MeterFilter {

  /**
   * The upper bounds of the buckets, chosen for this service: an edge hit answers in well under a
   * millisecond (0.5 ms, 1 ms); a hit of the mirror or the store's hot rows, one bus hop and a SELECT,
   * in 1-5 ms (2.5 ms, 5 ms); a live fetch costs the directory's latency, tens to hundreds of
   * milliseconds (10, 25, 100, 250 ms); beyond 1 s the directory is slow, and an attempt that reached
   * {@code upstream.timeoutMs} (2 s by default) ends under 2.5 s. Longer (queue waits, retries) is +Inf.
   */
  public static final List<Duration> BOUNDS = List.of(Duration.ofNanos(500_000), Duration.ofMillis(1),
    Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(2500));

  /** {@code _bucket} series of one histogram: a bound each, and {@code +Inf}. */
  public static final int BUCKETS = 11;

  /**
   * Timers that nobody waits on, whose count, sum and max say enough: how long a pool's resource was held
   * (its wait is {@code vertx.pool.queue.time}), and the JVM's GC pauses (by cause and collector).
   */
  public static final Set<String> NOT_WAITS = Set.of("vertx.pool.usage", "jvm.gc.pause");

  /** Timers record in nanoseconds: the bounds in that unit. */
  private static final DistributionStatisticConfig HISTOGRAM = DistributionStatisticConfig.builder()
    .percentilesHistogram(false)
    .percentiles(new double[0])
    .serviceLevelObjectives(BOUNDS.stream().mapToDouble(Duration::toNanos).toArray())
    .build();

  /** An empty array, not null, so that nothing merged after it brings buckets or quantiles back. */
  private static final DistributionStatisticConfig SUM_AND_COUNT = DistributionStatisticConfig.builder()
    .percentilesHistogram(false)
    .percentiles(new double[0])
    .serviceLevelObjectives(new double[0])
    .build();

  @Override
  public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
    return switch (id.getType()) {
      case TIMER -> (NOT_WAITS.contains(id.getName()) ? SUM_AND_COUNT : HISTOGRAM).merge(config);
      case DISTRIBUTION_SUMMARY -> SUM_AND_COUNT.merge(config);
      default -> config;
    };
  }
}
