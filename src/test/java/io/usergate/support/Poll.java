package io.usergate.support;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waits on a condition from a test thread: probes every 20 ms until it holds, or fails with the last value. */
public final class Poll {

  private Poll() {
  }

  /** The first value of {@code probe} that satisfies {@code condition}, within {@code within}. */
  public static <T> T until(Duration within, Callable<T> probe, Predicate<T> condition, String what) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    T last = probe.call();
    while (!condition.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + within.toMillis() + " ms; last seen " + last);
      }
      Thread.sleep(20);
      last = probe.call();
    }
    return last;
  }
}
