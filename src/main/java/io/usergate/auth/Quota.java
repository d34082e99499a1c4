package io.usergate.auth;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One caller's {@code ratePerSecond}: a GCRA whose theoretical arrival time is one {@link AtomicLong}, so the
 * web's instances on every event loop take from the same budget without a lock. The burst is a second's
 * worth ({@code ceil(rate)} requests, at least 1): a quiet caller may send that many at once, then one per
 * {@code 1 / rate} seconds. A refused request takes nothing.
 */
public final class Quota {

  private static final long SECOND_NANOS = 1_000_000_000L;

  private final double rate;
  private final int burst;
  private final long interval;
  /** How far past now the theoretical arrival time may run once a request is let through: the burst. */
  private final long capacity;
  private final LongSupplier nanoClock;
  /** When the budget would be full again if no more requests came (GCRA's TAT). */
  private final AtomicLong theoreticalArrival;

  Quota(double ratePerSecond, LongSupplier nanoClock) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("a quota needs a positive rate, not " + ratePerSecond);
    }
    this.rate = ratePerSecond;
    this.burst = (int) Math.max(1, Math.ceil(ratePerSecond));
    this.interval = Math.max(1, Math.round(SECOND_NANOS / ratePerSecond));
    this.capacity = burst * interval;
    this.nanoClock = nanoClock;
    this.theoreticalArrival = new AtomicLong(nanoClock.getAsLong());
  }

  /**
   * One request's share: 0 when it may go, else the nanoseconds until one would (at least 1).
   */
  public long take() {
    long now = nanoClock.getAsLong();
    while (true) {
      long arrival = theoreticalArrival.get();
      long next = Math.max(arrival, now) + interval;
      long over = next - now - capacity;
      if (over > 0) {
        return over;
      }
      if (theoreticalArrival.compareAndSet(arrival, next)) {
        return 0;
      }
    }
  }

  public double rate() {
    return rate;
  }

  /** Requests a quiet caller may send at once. */
  public int burst() {
    return burst;
  }

  /**
   * The policy as the IETF draft's {@code RateLimit-Policy} writes it ({@code "default";q=10;w=1}): a whole
   * number of requests in a whole number of seconds that the caller can keep to, rounded down where the rate
   * is not whole (2.5 a second: {@code q=2;w=1}; 0.5 a second: {@code q=1;w=2}).
   */
  public String policy() {
    long window = Math.max(1, (long) Math.ceil(1 / rate));
    long quota = Math.max(1, (long) Math.floor(rate * window));
    return "\"" + Quotas.POLICY + "\";q=" + quota + ";w=" + window;
  }

  /** Whole seconds of a wait in nanoseconds, rounded up, at least 1: {@code Retry-After}'s and the draft's {@code t}. */
  public static long seconds(long waitNanos) {
    return Math.max(1, (waitNanos + SECOND_NANOS - 1) / SECOND_NANOS);
  }
}
