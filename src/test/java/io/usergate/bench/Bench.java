package io.usergate.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmarks of {@code scripts/bench}: each measured against its baseline in the same run, printed
 * as a ratio (these machines are shared and noisy; absolute figures drift, ratios much less).
 * Arguments name the groups to run (default: all).
 */
public final class Bench {

  /** A group of benchmarks, adding its rows to the report. */
  private interface Group {
    void run(Report report) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    // In the order they run, whatever the order of the arguments.
    Map<String, Group> all = new LinkedHashMap<>();
    all.put("store", StoreBench::run);
    all.put("fetch", FetchBench::run);
    all.put("sync", SyncBench::run);
    all.put("web", WebBench::run);
    all.put("cache", CacheBench::run);
    all.put("walk", WalkBench::run);
    all.put("delta", DeltaBench::run);
    all.put("queue", QueueBench::run);
    all.put("rate", RateBench::run);
    all.put("headers", HeadersBench::run);
    all.put("fair", FairBench::run);
    all.put("jwt", JwtBench::run);
    all.put("memory", MemoryBench::run);
    all.put("process", ProcessBench::run);
    all.put("cluster", ClusterBench::run);
    List<String> groups = args.length == 0 ? List.copyOf(all.keySet()) : List.of(args);
    Report report = new Report();
    for (Map.Entry<String, Group> group : all.entrySet()) {
      if (groups.contains(group.getKey())) {
        group.getValue().run(report);
      }
    }
    report.print();
    System.exit(0);
  }

  private Bench() {
  }
}
