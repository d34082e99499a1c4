package io.usergate.bench;

import io.usergate.cache.UserCache;
import io.usergate.demo.DemoDirectoryVerticle;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.time.Instant;

/**
 * The node's user cache stays within its bound (issues 16 and 22): 100,000 users put into a cache bounded
 * at 16 MB; the heap it retains (after a GC) against that bound.
 */
final class MemoryBench {

  private static final int USERS = 100_000;
  private static final long BOUND = 16L * 1024 * 1024;

  static void run(Report report) {
    // The classes and their constants (the demo's names, Caffeine's and Jackson's tables) before the baseline.
    UserCache warm = new UserCache(BOUND);
    for (long id = 1; id <= 1000; id++) {
      warm.offer(Long.toString(id), DemoDirectoryVerticle.user(id), Instant.now());
    }
    warm = null;
    long before = retainedHeap();
    UserCache hot = new UserCache(BOUND);
    long jsonBytes = 0;
    for (long id = 1; id <= USERS; id++) {
      JsonObject user = DemoDirectoryVerticle.user(id);
      jsonBytes += user.toBuffer().length();
      hot.offer(Long.toString(id), user, Instant.now());
    }
    long retained = retainedHeap() - before;
    // Keep the copies alive until measured.
    if (hot.get(Integer.toString(USERS)) == null && hot.get("1") == null && retained < 0) {
      throw new IllegalStateException();
    }
    report.add("heap retained by the node's user cache after 100,000 users (" + jsonBytes / USERS + " bytes of JSON each, "
      + String.format("%.1f MB", jsonBytes / 1e6) + " in all)", retained / (1024.0 * 1024), "MB",
      "the bound, cache.memoryBytes", BOUND / (1024.0 * 1024), "≤ 1");
  }

  /** The heap in use once a full collection has run (System.gc() returns after it, with the default collectors). */
  private static long retainedHeap() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private MemoryBench() {
  }
}
