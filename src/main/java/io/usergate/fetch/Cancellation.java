package io.usergate.fetch;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;

/**
 * A signal that nobody waits for a piece of work any more (like an abort signal). Work registers what
 * to undo: leave the semaphore's queue, reset an HTTP request. Confined to the fetch verticle's context.
 */
final class Cancellation {

  private List<Runnable> hooks = new ArrayList<>();
  private boolean cancelled;

  /** Runs {@code hook} on cancellation, or at once if already cancelled. */
  void onCancel(Runnable hook) {
    if (cancelled) {
      hook.run();
    } else {
      hooks.add(hook);
    }
  }

  void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    List<Runnable> toRun = hooks;
    hooks = List.of();
    toRun.forEach(Runnable::run);
  }

  /**
   * What {@code work} comes to, or a {@link CancelledException} as soon as this is cancelled, whichever
   * comes first. The work itself goes on: undoing it is for the hooks it registered.
   */
  <T> Future<T> race(Future<T> work) {
    if (cancelled) {
      return Future.failedFuture(new CancelledException());
    }
    Promise<T> first = Promise.promise();
    work.onComplete(first::tryComplete, first::tryFail);
    onCancel(() -> first.tryFail(new CancelledException()));
    return first.future();
  }

  boolean isCancelled() {
    return cancelled;
  }
}
