package io.usergate.fetch;

import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * The one timer a queue of waiters keeps (the rate limiter's, the pause's, each endpoint of the directory's
 * budget): armed for an instant of the nano clock, replaced when armed again, and a fire of a timer since
 * replaced or cancelled is ignored. Confined to its owner's Vert.x context.
 */
final class WakeTimer {

  private final Vertx vertx;
  private final Runnable onFire;
  private Timer timer;

  WakeTimer(Vertx vertx, Runnable onFire) {
    this.vertx = vertx;
    this.onFire = onFire;
  }

  boolean armed() {
    return timer != null;
  }

  /** Fires {@code onFire} at {@code at} (nanos, the clock that gave {@code now}): rounded up to the millisecond, 1 ms at the least. */
  void armAt(long at, long now) {
    cancel();
    long delayMs = Math.max(1, (at - now + 999_999) / 1_000_000);
    Timer armed = vertx.timer(delayMs, TimeUnit.MILLISECONDS);
    timer = armed;
    armed.onSuccess(v -> {
      if (timer == armed) {
        timer = null;
        onFire.run();
      }
    });
  }

  void cancel() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
