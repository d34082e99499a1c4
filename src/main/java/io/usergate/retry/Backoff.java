package io.usergate.retry;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter, the one rule of usergate's retries (the upstream's attempts, the sync's
 * failed jobs): before retry number {@code n + 1} (after {@code n} earlier retries) the ceiling is
 * {@code baseMs × 2^n}, at most {@code maxMs}; the delay is drawn between half the ceiling and all of it,
 * so that callers that failed together do not come back together.
 */
public record Backoff(long baseMs, long maxMs) {

  public Backoff {
    if (baseMs < 0 || maxMs < 0) {
      throw new IllegalArgumentException("a backoff is not negative: base " + baseMs + " ms, max " + maxMs + " ms");
    }
  }

  /** The delay after {@code retriesBefore} earlier retries (0 for the first). */
  public long delayMs(int retriesBefore) {
    return delayMs(retriesBefore, ThreadLocalRandom.current());
  }

  /** {@link #delayMs(int)} with the jitter drawn from {@code random}. */
  public long delayMs(int retriesBefore, RandomGenerator random) {
    long ceiling = ceilingMs(retriesBefore);
    return ceiling / 2 + random.nextLong(ceiling / 2 + 1);
  }

  /** {@code baseMs × 2^retriesBefore}, capped at {@code maxMs} (and never overflowing). */
  public long ceilingMs(int retriesBefore) {
    int doublings = Math.max(0, retriesBefore);
    if (baseMs == 0) {
      return 0;
    }
    if (doublings >= Long.numberOfLeadingZeros(baseMs)) {
      return maxMs;
    }
    return Math.min(maxMs, baseMs << doublings);
  }
}
