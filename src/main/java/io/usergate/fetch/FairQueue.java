package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The permits of upstream calls, shared fairly between callers: at most {@code permits} holders at once,
 * and each caller's waiters in a queue of their own. A freed permit goes to the callers in turn, by weight
 * (deficit round robin with a cost of one per permit: a caller of weight 3 gets three permits in a round
 * where one of weight 1 gets one); within a caller, first in, first out. With one caller this is the
 * FIFO semaphore it replaces.
 *
 * <p>A caller that stops waiting leaves the round and keeps no credit, so an idle caller cannot save up
 * a burst (the "wind-up" Kubernetes' API Priority and Fairness had to fix in its fair queuing). A caller
 * whose own queue is full ({@link Share#maxQueued}) is refused at once and nobody else notices:
 * {@code TOO_MANY_REQUESTS} (429) for a named caller, {@code OVERLOADED} (503) for the anonymous one,
 * since those are everyone who did not say who they are, not one caller sending too much. A waiter that
 * times out or is cancelled leaves its queue; a permit is never handed to a waiter that is gone.
 *
 * <p>Confined to one Vert.x context (the fetch verticle's): no locks, no atomics.
 */
final class FairQueue {

  /** The caller of a request that names none. */
  static final String ANONYMOUS = "anonymous";

  /** A caller's share: its weight in each round, and how many of its requests may wait at most. */
  record Share(int weight, int maxQueued) {
    Share {
      if (weight < 1 || maxQueued < 0) {
        throw new IllegalArgumentException("a share needs a weight ≥ 1 and maxQueued ≥ 0, not " + weight + ", " + maxQueued);
      }
    }
  }

  /** One permit; releasing it twice is harmless, so every path may release it. */
  final class Permit {
    private boolean released;

    void release() {
      if (!released) {
        released = true;
        FairQueue.this.release();
      }
    }
  }

  private final class Waiter {
    final Lane lane;
    final Promise<Permit> promise = Promise.promise();
    Timer timeout;
    boolean gone;

    Waiter(Lane lane) {
      this.lane = lane;
    }

    /** Out of the queue, for whatever reason: its timeout has nothing left to do. */
    void leaveQueue() {
      gone = true;
      timeout.cancel();
    }
  }

  /** One caller's waiters, and what is left of its turn in this round. */
  private static final class Lane {
    final String caller;
    final Share share;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    int credit;

    Lane(String caller, Share share) {
      this.caller = caller;
      this.share = share;
    }
  }

  private final Vertx vertx;
  private final Function<String, Share> shares;
  /** The lanes with someone waiting, by caller; a lane that empties goes, with its credit. */
  private final Map<String, Lane> lanes = new HashMap<>();
  /** The same lanes in turn order: the head is served next. */
  private final ArrayDeque<Lane> turns = new ArrayDeque<>();
  private int permits;
  private int held;
  private int queued;

  /** @param shares each caller's share, asked when the caller starts waiting */
  FairQueue(Vertx vertx, int permits, Function<String, Share> shares) {
    this.vertx = vertx;
    this.permits = permits;
    this.shares = shares;
  }

  /**
   * A permit now, or once one is free and it is {@code caller}'s turn. Fails at once when the caller's
   * queue is full, with {@code OVERLOADED} when the wait exceeds {@code waitTimeoutMs}, and with a
   * {@link CancelledException} when {@code cancellation} fires while waiting.
   */
  Future<Permit> acquire(String caller, long waitTimeoutMs, Cancellation cancellation) {
    if (cancellation.isCancelled()) {
      return Future.failedFuture(new CancelledException());
    }
    if (held < permits && queued == 0) {
      held++;
      return Future.succeededFuture(new Permit());
    }
    Lane lane = lanes.get(caller);
    Share share = lane != null ? lane.share : shares.apply(caller);
    int waiting = lane == null ? 0 : lane.waiters.size();
    if (waiting >= share.maxQueued()) {
      return Future.failedFuture(ANONYMOUS.equals(caller)
        ? ErrorCode.OVERLOADED.error("too many upstream requests waiting (" + share.maxQueued() + " queued, "
          + permits + " in flight)")
        : ErrorCode.TOO_MANY_REQUESTS.error("caller " + caller + " has " + waiting
          + " upstream requests waiting, its most (maxQueued)"));
    }
    if (lane == null) {
      lane = new Lane(caller, share);
      lanes.put(caller, lane);
      turns.addLast(lane);
    }
    Waiter waiter = new Waiter(lane);
    lane.waiters.addLast(waiter);
    queued++;
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
    Lane lane = waiter.lane;
    lane.waiters.remove(waiter);
    queued--;
    if (lane.waiters.isEmpty()) {
      lanes.remove(lane.caller);
      turns.remove(lane);
    }
    waiter.promise.tryFail(why);
  }

  /**
   * A new number of permits (this node's share of a cluster-wide budget). More: waiters are served at
   * once, in turn. Fewer: holders keep theirs, and released permits are not handed on until fewer than the
   * new number are held.
   */
  void resize(int newPermits) {
    permits = Math.max(1, newPermits);
    while (held < permits && grantNext()) {
      held++;
    }
  }

  /** Gives a permit to the next waiter in turn; false when nobody waits. */
  private boolean grantNext() {
    Lane lane;
    while ((lane = turns.peekFirst()) != null) {
      if (lane.credit <= 0) {
        // Its turn in a new round.
        lane.credit += lane.share.weight();
      }
      Waiter next = lane.waiters.pollFirst();
      queued--;
      lane.credit--;
      if (lane.waiters.isEmpty()) {
        turns.pollFirst();
        lanes.remove(lane.caller);
      } else if (lane.credit <= 0) {
        turns.addLast(turns.pollFirst());
      }
      // Waiters that leave are taken out of their lane at once; the check is for a promise failed meanwhile.
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
    // Hand the permit straight to the next waiter in turn; only if there is none is it freed.
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

  /** Waiters of every caller. */
  int queued() {
    return queued;
  }

  /** Waiters of {@code caller}. */
  int queued(String caller) {
    Lane lane = lanes.get(caller);
    return lane == null ? 0 : lane.waiters.size();
  }

  /** Callers with someone waiting. */
  int waitingCallers() {
    return lanes.size();
  }

  int permits() {
    return permits;
  }
}
