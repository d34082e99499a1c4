package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket for the event loop ({@code upstream.maxRatePerSecond}): at most {@code burst} tokens at
 * once, refilled at {@code rate} per second, one token per upstream call. It never blocks, it answers
 * with a future. Waiters are served first in, first out; at most {@code maxQueued} wait, beyond that
 * {@code acquire} fails with {@code OVERLOADED} at once.
 *
 * <p>One timer at a time, for the head of the queue: it fires when the next token is due, hands out every
 * token due by then (a late timer catches up, up to the burst) and is armed again while someone waits.
 * There is no timer per waiter and no polling: since tokens come at a known pace and a waiter can only
 * move forward in the queue, the wait of a newcomer is known when it arrives (its place × the interval).
 * One whose wait would outlast {@code maxWaitMs} fails {@code OVERLOADED} at once instead of holding its
 * place (and the caller's semaphore permit) until its time is up. A cancelled waiter leaves the queue at
 * once and takes no token; a token is never handed to a waiter that is gone.
 *
 * <p>The bucket is kept as a "theoretical arrival time" (GCRA): in whole nanoseconds, so no rounding
 * drifts, and equivalent to a bucket of {@code burst} tokens: in any interval of {@code t} seconds at most
 * {@code burst + rate × t} tokens are handed out. It starts full.
 *
 * <p>Rate 0 means no limit: every {@code acquire} succeeds at once (the caller may also skip the call).
 *
 * <p>Confined to one Vert.x context (the fetch verticle's): no locks, no atomics.
 */
final class RateLimiter {

  /** The configuration key this limits, named in every failure so an operator knows what to raise. */
  static final String RATE_KEY = "upstream.maxRatePerSecond";

  private final class Waiter {
    final Promise<Void> promise = Promise.promise();
  }

  private final Vertx vertx;
  private final double rate;
  private final int burst;
  private final int maxQueued;
  private final LongSupplier nanoClock;
  /** Nanoseconds between two tokens; 0 when unlimited. */
  private final long interval;
  /** How far ahead of now the theoretical arrival time may run: the burst, less the token being taken. */
  private final long tolerance;
  /** Insertion-ordered: FIFO, and a cancelled waiter leaves in O(1). */
  private final LinkedHashSet<Waiter> queue = new LinkedHashSet<>();
  /** When the bucket would be empty again if no more tokens were taken (GCRA's TAT). */
  private long theoreticalArrival;
  private Timer timer;
  private long granted;

  /** A limiter with the default burst: one second's worth of tokens, at least one. */
  RateLimiter(Vertx vertx, double ratePerSecond, int maxQueued) {
    this(vertx, ratePerSecond, defaultBurst(ratePerSecond), maxQueued);
  }

  RateLimiter(Vertx vertx, double ratePerSecond, int burst, int maxQueued) {
    this(vertx, ratePerSecond, burst, maxQueued, System::nanoTime);
  }

  /** {@code nanoClock} is {@link System#nanoTime} but for tests that want to see the instants it read. */
  RateLimiter(Vertx vertx, double ratePerSecond, int burst, int maxQueued, LongSupplier nanoClock) {
    if (!(ratePerSecond == 0 || ratePerSecond >= 0.001) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(RATE_KEY + " must be 0 (no limit) or at least 0.001, not " + ratePerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("the burst must be at least 1 token, not " + burst);
    }
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued must not be negative, not " + maxQueued);
    }
    this.vertx = vertx;
    this.rate = ratePerSecond;
    this.burst = burst;
    this.maxQueued = maxQueued;
    this.nanoClock = nanoClock;
    this.interval = ratePerSecond == 0 ? 0 : Math.max(1, Math.round(1e9 / ratePerSecond));
    this.tolerance = (burst - 1) * interval;
    this.theoreticalArrival = nanoClock.getAsLong();
  }

  /** One second's worth of tokens, at least one: what may pile up while idle. */
  static int defaultBurst(double ratePerSecond) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.floor(ratePerSecond)));
  }

  /**
   * A token now, or once one is due. Fails with {@code OVERLOADED} at once when the queue is full or when
   * the token would come later than {@code maxWaitMs} from now; fails with a {@link CancelledException}
   * when {@code cancellation} fires first (the waiter then leaves the queue and takes no token). A waiter
   * let in gets its token within {@code maxWaitMs} unless the event loop lags; then it is served late,
   * never failed after waiting (its caller's own deadline still applies through {@code cancellation}).
   */
  Future<Void> acquire(long maxWaitMs, Cancellation cancellation) {
    if (cancellation.isCancelled()) {
      return Future.failedFuture(new CancelledException());
    }
    if (interval == 0) {
      granted++;
      return Future.succeededFuture();
    }
    long now = nanoClock.getAsLong();
    if (queue.isEmpty() && due(now)) {
      take(now);
      return Future.succeededFuture();
    }
    int ahead = queue.size();
    if (ahead >= maxQueued) {
      return Future.failedFuture(ErrorCode.OVERLOADED.error("too many upstream requests wait for a token ("
        + maxQueued + " queued at " + RATE_KEY + " = " + formatRate() + ")"));
    }
    // Nobody ahead can be overtaken and tokens come at a fixed pace: this is the latest the token comes.
    double waitNanos = (double) Math.max(0, nextDue() - now) + (double) ahead * interval;
    if (waitNanos > maxWaitMs * 1e6) {
      return Future.failedFuture(ErrorCode.OVERLOADED.error("no upstream token within " + maxWaitMs + " ms: "
        + ahead + " requests wait ahead at " + RATE_KEY + " = " + formatRate()
        + " (the next token for this one in " + (long) Math.ceil(waitNanos / 1e6) + " ms)"));
    }
    Waiter waiter = new Waiter();
    queue.add(waiter);
    cancellation.onCancel(() -> leave(waiter));
    armTimer(now);
    return waiter.promise.future();
  }

  /** Requests waiting for a token (for a gauge). */
  int waiting() {
    return queue.size();
  }

  /** Tokens per second; 0 when unlimited (for a gauge). */
  double rate() {
    return rate;
  }

  int burst() {
    return burst;
  }

  /** Tokens handed out since the start (for a counter, and for tests). */
  long granted() {
    return granted;
  }

  private boolean due(long now) {
    return now - nextDue() >= 0;
  }

  /** When the next token may be taken. */
  private long nextDue() {
    return theoreticalArrival - tolerance;
  }

  private void take(long now) {
    theoreticalArrival = Math.max(theoreticalArrival, now) + interval;
    granted++;
  }

  private void leave(Waiter waiter) {
    if (!queue.remove(waiter)) {
      return; // served already, or gone already
    }
    if (queue.isEmpty() && timer != null) {
      timer.cancel();
      timer = null;
    }
    waiter.promise.tryFail(new CancelledException());
  }

  private void armTimer(long now) {
    if (timer != null || queue.isEmpty()) {
      return;
    }
    long delayMs = Math.max(1, (nextDue() - now + 999_999) / 1_000_000);
    Timer armed = vertx.timer(delayMs, TimeUnit.MILLISECONDS);
    timer = armed;
    armed.onSuccess(v -> {
      if (timer == armed) {
        timer = null;
        serveDue();
      }
    });
  }

  /** Hands every token due by now to the head of the queue, then waits for the next one. */
  private void serveDue() {
    long now = nanoClock.getAsLong();
    while (!queue.isEmpty() && due(now)) {
      // A fresh iterator each time: completing a waiter runs its callbacks, which may cancel others.
      Waiter head = queue.iterator().next();
      queue.remove(head);
      take(now);
      head.promise.complete();
    }
    armTimer(nanoClock.getAsLong());
  }

  private String formatRate() {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }
}
