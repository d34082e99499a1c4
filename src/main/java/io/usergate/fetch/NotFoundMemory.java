package io.usergate.fetch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The ids the upstream answered 404 for, remembered for {@code cache.notFoundForMs} so that they are
 * answered 404 without another upstream call; a successful fetch forgets an id at once. Per node: a
 * node learns an id's absence with one upstream call, which is cheaper than a cluster-wide map's hop on
 * every lookup. Bounded: past {@link #MAX_IDS} the least recently remembered go first, so invented ids
 * cannot fill the heap. Confined to the fetch verticle's context.
 */
final class NotFoundMemory {

  static final int MAX_IDS = 100_000;

  private final long forMs;
  private final LongSupplier clock;
  private final Map<String, Long> expiresAt = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_IDS;
    }
  };

  NotFoundMemory(long forMs, LongSupplier clock) {
    this.forMs = forMs;
    this.clock = clock;
  }

  void remember(String id) {
    if (forMs > 0) {
      expiresAt.remove(id);
      expiresAt.put(id, clock.getAsLong() + forMs);
    }
  }

  void forget(String id) {
    expiresAt.remove(id);
  }

  /** Whether the upstream said, less than {@code notFoundForMs} ago, that it has no such user. */
  boolean isKnownMissing(String id) {
    Long until = expiresAt.get(id);
    if (until == null) {
      return false;
    }
    if (clock.getAsLong() >= until) {
      expiresAt.remove(id);
      return false;
    }
    return true;
  }

  int size() {
    return expiresAt.size();
  }
}
