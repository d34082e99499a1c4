package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.LinkedHashSet;
import java.util.function.LongSupplier;

/**
 * The pace of upstream calls ({@code upstream.maxRatePerSecond}, {@code upstream.maxBurst},
 * {@code upstream.rateMarginMs}), for the event loop: one token per upstream call, handed out no closer
 * together than one interval, so that the directory never sees more than the rate in any one-second
 * window, from the first second on. It never blocks, it answers with a future. Waiters are served first
 * in, first out; at most {@code maxQueued} wait, beyond that {@code acquire} fails with {@code OVERLOADED}
 * at once.
 *
 * <p>The interval is a second plus the margin, divided by the rate: any {@code rate + 1} consecutive calls
 * are spread over more than a second, by the margin, so that the network's jitter between here and the
 * directory (a call that leaves on time but arrives a few milliseconds late, next to one that does not)
 * cannot put one more call in the directory's second. The cost is the margin's share of the rate: with
 * the default 20 ms, calls run at 1000 / 1020 = 0.98 of it. A part of the margin (5 ms of the 20) also
 * lets the pace make up its timer's lateness ({@link #take}); the rest is left for the network.
 *
 * <p>Kept as a "theoretical arrival time" (GCRA), in whole nanoseconds so that no rounding drifts. A burst
 * of {@code b} lets {@code b} calls leave at once after a quiet spell; then a one-second window may hold up to
 * {@code rate + b - 1} calls. The default burst is 1: strict pacing. It starts full (one token at once).
 *
 * <p>One timer at a time, for the head of the queue: it fires when the next token is due, hands out every
 * token due by then (a late timer catches up, up to the burst) and is armed again while someone waits.
 * There is no timer per waiter and no polling: since tokens come at a known pace and a waiter can only
 * move forward in the queue, the wait of a newcomer is known when it arrives (its place × the interval).
 * One whose wait would outlast {@code maxWaitMs} fails {@code OVERLOADED} at once instead of holding its
 * place (and the caller's semaphore permit) until its time is up. A cancelled waiter leaves the queue at
 * once and takes no token; a token is never handed to a waiter that is gone.
 *
 * <p>The pace can change while calls wait ({@link #pace}: this node's share of a cluster's rate), and
 * tokens can be held back until an instant ({@link #holdUntil}: a node joining a cluster waits for the
 * others to lower their shares); neither restarts the bucket, so neither lets a burst through.
 *
 * <p>Rate 0 means no limit: every {@code acquire} succeeds at once (the caller may also skip the call).
 *
 * <p>Confined to one Vert.x context (the fetch verticle's): no locks, no atomics.
 */
final class RateLimiter implements RateShare.Paced {

  /** The configuration key this limits, named in every failure so an operator knows what to raise. */
  static final String RATE_KEY = "upstream.maxRatePerSecond";

  private static final long SECOND_NANOS = 1_000_000_000L;
  private static final long MAX_CATCH_UP_NANOS = 5_000_000L;

  private final class Waiter {
    final Promise<Void> promise = Promise.promise();
  }

  private final long marginNanos;
  /**
   * How much of a timer's lateness the pace makes up: half the margin, at most {@link #MAX_CATCH_UP_NANOS}.
   * A timer fires a millisecond or two late; a longer lateness is a stall, which the pace need not make
   * up, and the rest of the margin is left for the network.
   */
  private final long catchUp;
  private final int maxQueued;
  private final LongSupplier nanoClock;
  private double rate;
  private int burst;
  /** Nanoseconds between two tokens; 0 when unlimited. */
  private long interval;
  /** How far ahead of now the theoretical arrival time may run: the burst, less the token being taken. */
  private long tolerance;
  /** Insertion-ordered: FIFO, and a cancelled waiter leaves in O(1). */
  private final LinkedHashSet<Waiter> queue = new LinkedHashSet<>();
  /** When the bucket would be empty again if no more tokens were taken (GCRA's TAT). */
  private long theoreticalArrival;
  /** No token before this instant ({@link #holdUntil}). */
  private long heldUntil;
  private final WakeTimer timer;
  private long granted;

  /** Strict pacing with no margin: for tests of the mechanism. */
  RateLimiter(Vertx vertx, double ratePerSecond, int burst, int maxQueued) {
    this(vertx, ratePerSecond, burst, 0, maxQueued, System::nanoTime);
  }

  /** {@code nanoClock} is {@link System#nanoTime} but for tests that want to see the instants it read. */
  RateLimiter(Vertx vertx, double ratePerSecond, int burst, int maxQueued, LongSupplier nanoClock) {
    this(vertx, ratePerSecond, burst, 0, maxQueued, nanoClock);
  }

  RateLimiter(Vertx vertx, double ratePerSecond, int burst, long marginMs, int maxQueued, LongSupplier nanoClock) {
    if (marginMs < 0) {
      throw new IllegalArgumentException("the margin must not be negative, not " + marginMs);
    }
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued must not be negative, not " + maxQueued);
    }
    this.timer = new WakeTimer(vertx, this::serveDue);
    this.marginNanos = marginMs * 1_000_000L;
    this.catchUp = Math.min(marginNanos / 2, MAX_CATCH_UP_NANOS);
    this.maxQueued = maxQueued;
    this.nanoClock = nanoClock;
    long now = nanoClock.getAsLong();
    this.theoreticalArrival = now;
    this.heldUntil = now;
    setPace(ratePerSecond, burst);
  }

  /**
   * A new pace: this node's share of a cluster's rate. Calls already waiting stay in their order; the
   * token after the last one handed out comes one new interval after it, not at once, so a change of
   * pace never lets a burst through.
   */
  @Override
  public void pace(double ratePerSecond, int burst) {
    long lastInterval = interval;
    setPace(ratePerSecond, burst);
    if (interval != 0 && lastInterval != 0) {
      theoreticalArrival = theoreticalArrival - lastInterval + interval;
    }
    rearm();
  }

  /** No token before {@code nanos} ({@link System#nanoTime}); waiters keep their places. */
  @Override
  public void holdUntil(long nanos) {
    if (nanos - heldUntil > 0) {
      heldUntil = nanos;
      rearm();
    }
  }

  private void setPace(double ratePerSecond, int burst) {
    if (!(ratePerSecond == 0 || ratePerSecond >= 0.001) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(RATE_KEY + " must be 0 (no limit) or at least 0.001, not " + ratePerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("the burst must be at least 1 token, not " + burst);
    }
    this.rate = ratePerSecond;
    this.burst = burst;
    this.interval = ratePerSecond == 0 ? 0 : Math.max(1, (long) Math.ceil((SECOND_NANOS + marginNanos) / ratePerSecond));
    this.tolerance = (burst - 1) * interval;
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

  /** Nanoseconds between two tokens (for tests). */
  long intervalNanos() {
    return interval;
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
    long byPace = theoreticalArrival - tolerance;
    return byPace - heldUntil >= 0 ? byPace : heldUntil;
  }

  /**
   * A token taken at {@code now}: the next is due one interval after the later of when this one was due
   * and {@code now - catchUp}. A timer fires a millisecond or so late, and a pacer that counts from the
   * late instant runs ever slower (at 100 a second, 0.8 of the rate); counting from when the token was due
   * makes up that lateness, up to half the margin (5 ms at the most), and keeps any {@code rate + 1} tokens
   * more than a second (plus the rest of the margin) apart.
   */
  private void take(long now) {
    theoreticalArrival = Math.max(theoreticalArrival, now - catchUp) + interval;
    granted++;
  }

  /** The pace or the hold changed: the head's token is due at another time. */
  private void rearm() {
    timer.cancel();
    if (interval == 0) {
      // No limit any more: everyone waiting goes now.
      while (!queue.isEmpty()) {
        Waiter head = queue.iterator().next();
        queue.remove(head);
        granted++;
        head.promise.complete();
      }
      return;
    }
    armTimer(nanoClock.getAsLong());
  }

  private void leave(Waiter waiter) {
    if (!queue.remove(waiter)) {
      return; // served already, or gone already
    }
    if (queue.isEmpty()) {
      timer.cancel();
    }
    waiter.promise.tryFail(new CancelledException());
  }

  private void armTimer(long now) {
    if (timer.armed() || queue.isEmpty()) {
      return;
    }
    timer.armAt(nextDue(), now);
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
