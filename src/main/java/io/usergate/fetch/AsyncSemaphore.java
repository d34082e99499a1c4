package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A semaphore for the event loop: it never blocks, it answers with a future. At most {@code permits}
 * holders at once; waiters are served first in, first out; at most {@code maxQueued} wait, beyond that
 * {@code acquire} fails with {@code OVERLOADED} at once. A waiter that times out or is cancelled leaves
 * the queue; a permit is never handed to a waiter that is gone, it passes to the next one.
 *
 * <p>Confined to one Vert.x context (the fetch verticle's): no locks, no atomics.
 */
final class AsyncSemaphore {

  /** One permit; releasing it twice is harmless, so every path may release it. */
  final class Permit {
    private boolean released;

    void release() {
      if (!released) {
        released = true;
        AsyncSemaphore.this.release();
      }
    }
  }

  private final class Waiter {
    final Promise<Permit> promise = Promise.promise();
    Timer timeout;
    boolean gone;

    /** Out of the queue, for whatever reason: its timeout has nothing left to do. */
    void leaveQueue() {
      gone = true;
      timeout.cancel();
    }
  }

  private final Vertx vertx;
  private int permits;
  private final int maxQueued;
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int held;

  AsyncSemaphore(Vertx vertx, int permits, int maxQueued) {
    this.vertx = vertx;
    this.permits = permits;
    this.maxQueued = maxQueued;
  }

  /**
   * A permit now, or once one is free. Fails with {@code OVERLOADED} when the queue is full or the wait
   * exceeds {@code waitTimeoutMs}; fails when {@code cancellation} fires while waiting.
   */
  Future<Permit> acquire(long waitTimeoutMs, Cancellation cancellation) {
    if (cancellation.isCancelled()) {
      return Future.failedFuture(new CancelledException());
    }
    if (held < permits && queue.isEmpty()) {
      held++;
      return Future.succeededFuture(new Permit());
    }
    if (queue.size() >= maxQueued) {
      return Future.failedFuture(ErrorCode.OVERLOADED.error(
        "too many upstream requests waiting (" + maxQueued + " queued, " + permits + " in flight)"));
    }
    Waiter waiter = new Waiter();
    queue.addLast(waiter);
    waiter.timeout = vertx.timer(Math.max(1, waitTimeoutMs), TimeUnit.MILLISECONDS);
    waiter.timeout.onSuccess(fired ->
      leave(waiter, ErrorCode.OVERLOADED.error("no upstream slot became free within " + waitTimeoutMs + " ms")));
    cancellation.onCancel(() -> leave(waiter, new CancelledException()));
    return waiter.promise.future();
  }

  private void leave(Waiter waiter, Throwable why) {
    if (waiter.gone) {
      return;
    }
    waiter.leaveQueue();
    queue.remove(waiter);
    waiter.promise.tryFail(why);
  }

  /**
   * A new number of permits (this node's share of a cluster-wide budget). More: waiters are served at
   * once. Fewer: holders keep theirs, and released permits are not handed on until fewer than the new
   * number are held.
   */
  void resize(int newPermits) {
    permits = Math.max(1, newPermits);
    while (held < permits && grantNext()) {
      held++;
    }
  }

  /** Gives a permit to the next waiter still there; false when there is none. */
  private boolean grantNext() {
    Waiter next;
    while ((next = queue.pollFirst()) != null) {
      if (!next.gone) {
        next.leaveQueue();
        if (next.promise.tryComplete(new Permit())) {
          return true;
        }
      }
    }
    return false;
  }

  private void release() {
    if (held > permits) {
      // Shrunk while it was held: this permit is not handed on.
      held--;
      return;
    }
    // Hand the permit straight to the next waiter still there; only if there is none is it freed.
    if (!grantNext()) {
      held--;
    }
  }

  int available() {
    return Math.max(0, permits - held);
  }

  int inFlight() {
    return held;
  }

  int queued() {
    return queue.size();
  }

  int permits() {
    return permits;
  }
}
