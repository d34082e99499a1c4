package io.usergate.fetch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The ids the upstream answered 404 for, remembered for {@code cache.notFoundForMs} so that they are
 * answered 404 without another upstream call; a successful fetch forgets an id at once. Per node: a
 * node learns an id's absence with one upstream call, which is cheaper than a cluster-wide map's hop on
 * every lookup. Bounded: past {@link #MAX_IDS} the least recently remembered go first, so invented ids
 * cannot fill the heap. An id is remembered with why: absent, or marked inactive (under {@code sync.inactive}
 * remove), so that the 404 it gets meanwhile says the same as the first. Confined to the fetch verticle's context.
 */
final class NotFoundMemory {

  static final int MAX_IDS = 100_000;

  private final long forMs;
  private final LongSupplier clock;
  private record Until(long at, boolean inactive) {
  }

  private final Map<String, Until> expiresAt = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Until> eldest) {
      return size() > MAX_IDS;
    }
  };

  NotFoundMemory(long forMs, LongSupplier clock) {
    this.forMs = forMs;
    this.clock = clock;
  }

  void remember(String id) {
    remember(id, false);
  }

  /** {@code inactive}: the directory has the user but marks it inactive. */
  void remember(String id, boolean inactive) {
    if (forMs > 0) {
      expiresAt.remove(id);
      expiresAt.put(id, new Until(clock.getAsLong() + forMs, inactive));
    }
  }

  void forget(String id) {
    expiresAt.remove(id);
  }

  /** Whether the upstream said, less than {@code notFoundForMs} ago, that it has no such user. */
  boolean isKnownMissing(String id) {
    Until until = expiresAt.get(id);
    if (until == null) {
      return false;
    }
    if (clock.getAsLong() >= until.at()) {
      expiresAt.remove(id);
      return false;
    }
    return true;
  }

  /** Whether it is remembered ({@link #isKnownMissing}) because the directory marks it inactive. */
  boolean isKnownInactive(String id) {
    Until until = expiresAt.get(id);
    return until != null && until.inactive() && isKnownMissing(id);
  }

  int size() {
    return expiresAt.size();
  }
}
