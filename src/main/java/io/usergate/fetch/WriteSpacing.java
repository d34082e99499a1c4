package io.usergate.fetch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The pace kept where the directory sees it: at the write of each request. The {@link RateLimiter} hands
 * out tokens before a call takes its connection, so that no connection is held while calls queue for the
 * rate; but a call that then waits for a new connection (a cold start's first calls, a TLS handshake)
 * can be caught up by the calls paced after it, and they reach the directory together. So each write
 * takes a slot here: the next slot is one interval after the last, where the interval is a second plus
 * half of {@code upstream.rateMarginMs}, divided by the rate. It is a little shorter than the limiter's, so
 * that it waits only after such a hold-up, for a few milliseconds, and never builds a queue of its own.
 *
 * <p>No queue bound and no failure: a slot is reserved at once, and the wait (while a connection is held)
 * is at most the bunch being spread. Rate 0: no spacing. Confined to the fetch verticle's context.
 */
final class WriteSpacing {

  private static final long SECOND_NANOS = 1_000_000_000L;

  private final Vertx vertx;
  private final long marginNanos;
  private final LongSupplier nanoClock;
  private long interval;
  /** The burst the limiter lets through ({@code upstream.maxBurst}), let through here too. */
  private long tolerance;
  /** GCRA's theoretical arrival time, as in {@link RateLimiter}. */
  private long theoreticalArrival;

  WriteSpacing(Vertx vertx, double ratePerSecond, int burst, long marginMs, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.marginNanos = marginMs * 1_000_000L / 2;
    this.nanoClock = nanoClock;
    this.theoreticalArrival = nanoClock.getAsLong();
    pace(ratePerSecond, burst);
  }

  /** A new pace (this node's share of a cluster's rate): the next slot is one new interval after the last. */
  void pace(double ratePerSecond, int burst) {
    long lastInterval = interval;
    interval = ratePerSecond == 0 ? 0 : Math.max(1, (long) Math.ceil((SECOND_NANOS + marginNanos) / ratePerSecond));
    tolerance = (Math.max(1, burst) - 1) * interval;
    if (interval != 0 && lastInterval != 0) {
      theoreticalArrival = theoreticalArrival - lastInterval + interval;
    }
  }

  /** Completes when this write may go: at once, or at its slot. */
  Future<Void> next() {
    if (interval == 0) {
      return Future.succeededFuture();
    }
    long now = nanoClock.getAsLong();
    long due = theoreticalArrival - tolerance;
    long slot = due - now > 0 ? due : now;
    theoreticalArrival = Math.max(theoreticalArrival, slot) + interval;
    long waitNanos = slot - now;
    if (waitNanos <= 0) {
      return Future.succeededFuture();
    }
    return vertx.timer((waitNanos + 999_999) / 1_000_000, TimeUnit.MILLISECONDS).mapEmpty();
  }

  /** Nanoseconds between two writes (for tests). */
  long intervalNanos() {
    return interval;
  }
}
