package io.usergate.sync;

import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * When the sync runs its next batch: at its periodic tick, or sooner when a pending job falls due before
 * it (a failed job after its backoff). One one-shot timer for the earliest due time the store has told,
 * replaced when an earlier one is known; it never fires sooner than {@code floorMs} after the last batch
 * started (the backoff's floor), so a job that stays due but unclaimable cannot make the sync spin.
 *
 * <p>The periodic tick itself stays the verticle's ({@code setPeriodic}); this only remembers when it is
 * next, so that {@link #at()} tells the true next run. Used on the verticle's event loop only.
 */
final class NextRun {

  private static final long NONE = Long.MAX_VALUE;

  private final Vertx vertx;
  private final long intervalMs;
  private final long floorMs;
  private final Runnable due;
  private long periodicAt;
  private long lastStartAt = Long.MIN_VALUE / 2;
  private Timer timer;
  private long timerAt = NONE;

  /**
   * {@code due} runs when the timer fires, at or after the earliest due time told and at least
   * {@code floorMs} after the last {@link #batchStarted()}.
   */
  NextRun(Vertx vertx, long intervalMs, long floorMs, Runnable due) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
    this.floorMs = floorMs;
    this.due = due;
    this.periodicAt = System.currentTimeMillis() + intervalMs;
  }

  /** The periodic tick came (or was set): the next one is an interval from now. */
  void periodicTick() {
    periodicAt = System.currentTimeMillis() + intervalMs;
  }

  /** A batch started, whatever started it: the floor counts from now. */
  void batchStarted() {
    lastStartAt = System.currentTimeMillis();
  }

  /**
   * The earliest pending job not yet due falls due in {@code dueInMs} (the store's figure, by the
   * database's clock): run then, unless a run at or before it is already armed.
   */
  void dueIn(long dueInMs) {
    long now = System.currentTimeMillis();
    long at = Math.max(now + Math.max(0, dueInMs), lastStartAt + floorMs);
    if (timer != null && timerAt <= at) {
      return;
    }
    arm(at, now);
  }

  /** The epoch millisecond of the next run: the periodic tick, or the due timer when sooner. */
  long at() {
    return Math.min(periodicAt, timerAt);
  }

  /** Whether the due timer is armed (for tests: nothing left to fire). */
  boolean armed() {
    return timer != null;
  }

  /** Undeploy: the due timer will not fire. */
  void cancel() {
    if (timer != null) {
      timer.cancel();
      timer = null;
      timerAt = NONE;
    }
  }

  private void arm(long at, long now) {
    cancel();
    Timer armed = vertx.timer(Math.max(1, at - now), TimeUnit.MILLISECONDS);
    timer = armed;
    timerAt = at;
    armed.onSuccess(v -> {
      if (timer != armed) {
        return;
      }
      timer = null;
      timerAt = NONE;
      long fired = System.currentTimeMillis();
      // A batch started since this was armed (a wake-up, the tick): the floor counts from that one.
      if (fired < lastStartAt + floorMs) {
        arm(lastStartAt + floorMs, fired);
      } else {
        due.run();
      }
    });
  }
}
