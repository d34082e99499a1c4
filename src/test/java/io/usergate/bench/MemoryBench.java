package io.usergate.bench;

import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.store.HotRows;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.time.Instant;

/**
 * The in-process copies of hot users stay within their bound (issue 16): 100,000 users put into the
 * store's hot rows bounded at 16 MB; the heap they retain (after a GC) against that bound.
 */
final class MemoryBench {

  private static final int USERS = 100_000;
  private static final long BOUND = 16L * 1024 * 1024;

  static void run(Report report) {
    // The classes and their constants (the demo's names, Caffeine's and Jackson's tables) before the baseline.
    HotRows warm = new HotRows(BOUND);
    for (long id = 1; id <= 1000; id++) {
      warm.fillEncoded(id, DemoDirectoryVerticle.user(id).toBuffer(), Instant.now(), warm.stamp());
    }
    warm = null;
    long before = retainedHeap();
    HotRows hot = new HotRows(BOUND);
    long jsonBytes = 0;
    for (long id = 1; id <= USERS; id++) {
      JsonObject user = DemoDirectoryVerticle.user(id);
      jsonBytes += user.toBuffer().length();
      hot.fillEncoded(id, user.toBuffer(), Instant.now(), hot.stamp());
    }
    long retained = retainedHeap() - before;
    // Keep the copies alive until measured.
    if (hot.get(USERS) == null && hot.get(1) == null && retained < 0) {
      throw new IllegalStateException();
    }
    report.add("heap retained by the store's hot rows after 100,000 users (" + jsonBytes / USERS + " bytes of JSON each, "
      + String.format("%.1f MB", jsonBytes / 1e6) + " in all)", retained / (1024.0 * 1024), "MB",
      "the bound, cache.storeHotBytes", BOUND / (1024.0 * 1024), "≤ 1");
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
