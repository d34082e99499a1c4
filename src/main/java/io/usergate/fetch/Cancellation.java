package io.usergate.fetch;

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

  boolean isCancelled() {
    return cancelled;
  }
}
