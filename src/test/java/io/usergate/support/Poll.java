package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A condition waited for on an event loop, where Awaitility's blocking wait must not run: checked every
 * 10 ms by a timer, never by sleeping. The test's own timeout (VertxTestContext's) bounds it.
 */
public final class Poll {

  private Poll() {
  }

  /** Completes once {@code condition} holds, checked on {@code vertx}'s timers. */
  public static Future<Void> until(Vertx vertx, BooleanSupplier condition) {
    if (condition.getAsBoolean()) {
      return Future.succeededFuture();
    }
    return vertx.timer(10, TimeUnit.MILLISECONDS).compose(tick -> until(vertx, condition));
  }
}
