package io.usergate.fetch;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.usergate.error.UsergateException;
import io.usergate.metrics.CounterFamily;
import io.vertx.circuitbreaker.CircuitBreakerState;

import java.util.Locale;

/**
 * The fetch verticle's metrics ({@code docs/metrics.md}): its gauges and counters, registered once, and the
 * two it counts as it goes, the upstream calls by outcome and the size of each bulk call. Every label is
 * from a fixed set.
 */
final class FetchMetrics {

  private final CounterFamily upstreamCalls =
    new CounterFamily("usergate.upstream.calls", "calls to the upstream directory, by outcome", "outcome");
  /** null without metrics. */
  private DistributionSummary batchSizes;

  /**
   * The label of an upstream call in {@code usergate_upstream_calls_total{outcome}}: a fixed set.
   * {@code notModified}: the call succeeded with a 304 that confirmed a copy usergate held.
   */
  static String outcome(Throwable failure, boolean notModified) {
    if (failure == null) {
      return notModified ? "not_modified" : "ok";
    }
    if (failure instanceof CancelledException) {
      return "cancelled";
    }
    return switch (UsergateException.from(failure).code()) {
      case NOT_FOUND -> "not_found";
      case UPSTREAM_TIMEOUT -> "timeout";
      case OVERLOADED, TOO_MANY_REQUESTS -> "overloaded";
      default -> "error";
    };
  }

  /** An upstream call ended, with {@code failure} (null: a user, {@code notModified} when a 304 confirmed it). */
  void upstreamCall(Throwable failure, boolean notModified) {
    upstreamCalls.increment(outcome(failure, notModified));
  }

  /** A bulk call of {@code ids} ids. */
  void batch(int ids) {
    if (batchSizes != null) {
      batchSizes.record(ids);
    }
  }

  void register(MeterRegistry registry, FairQueue permits, Upstream upstream, WriteThrough writeThrough) {
    batchSizes = DistributionSummary.builder("usergate.upstream.batch.size")
      .description("ids in one call of the directory's bulk endpoint").register(registry);
    Gauge.builder("usergate.upstream.in.flight", permits, FairQueue::inFlight)
      .description("upstream requests in flight (permits held)").register(registry);
    Gauge.builder("usergate.upstream.queued", permits, FairQueue::queued)
      .description("upstream requests waiting for a permit").register(registry);
    Gauge.builder("usergate.upstream.permits", permits, FairQueue::permits)
      .description("upstream.maxConcurrent").register(registry);
    Gauge.builder("usergate.upstream.rate.limit", upstream, current -> current.limiter().rate())
      .description("upstream.maxRatePerSecond (0: no limit)").register(registry);
    Gauge.builder("usergate.upstream.rate.waiting", upstream, current -> current.limiter().waiting())
      .description("upstream calls waiting for a rate token").register(registry);
    FunctionCounter.builder("usergate.upstream.paused.seconds", upstream.pause(), pause -> pause.pausedMillisTotal() / 1000.0)
      .description("time every upstream call was paused on the directory's Retry-After").register(registry);
    FunctionCounter.builder("usergate.write.through.failed", writeThrough, WriteThrough::failedCount)
      .description("users fetched whose write-through to the store failed").register(registry);
    // One series per state, 1 for the current one: an alert reads {state="open"} == 1.
    for (CircuitBreakerState state : CircuitBreakerState.values()) {
      Gauge.builder("usergate.upstream.breaker.state", upstream, current -> current.breakerState() == state ? 1 : 0)
        .tag("state", state.name().toLowerCase(Locale.ROOT))
        .description("the upstream circuit breaker's state: 1 for the current one").register(registry);
    }
  }
}
