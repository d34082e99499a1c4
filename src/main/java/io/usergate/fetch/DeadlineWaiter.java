package io.usergate.fetch;

import io.vertx.core.Promise;

/** A caller in a queue who waits at most {@code maxWaitMs}: until {@code deadline} on the nano clock. */
final class DeadlineWaiter<T> {

  final Promise<T> promise = Promise.promise();
  /** What the caller asked for, never negative: named in the failure when its turn would come too late. */
  final long maxWaitMs;
  final long deadline;

  /** A waiter from {@code now} (nanos) on; a wait of 73 years at most, so that the deadline cannot overflow. */
  DeadlineWaiter(long maxWaitMs, long now) {
    this.maxWaitMs = Math.max(0, maxWaitMs);
    this.deadline = now + Math.min(this.maxWaitMs, Long.MAX_VALUE / 4_000_000) * 1_000_000;
  }
}
