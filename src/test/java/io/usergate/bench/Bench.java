package io.usergate.bench;

import java.util.List;
import java.util.Set;

/**
 * The benchmarks of {@code scripts/bench}: each measured against its baseline in the same run, printed
 * as a ratio (these machines are shared and noisy; absolute figures drift, ratios much less).
 * Arguments name the groups to run (default: all).
 */
public final class Bench {

  public static void main(String[] args) throws Exception {
    Set<String> groups = Set.copyOf(args.length == 0 ? List.of("store", "fetch", "sync", "web", "cluster", "cache", "walk", "queue", "process", "memory", "rate") : List.of(args));
    Report report = new Report();
    if (groups.contains("store")) {
      StoreBench.run(report);
    }
    if (groups.contains("fetch")) {
      FetchBench.run(report);
    }
    if (groups.contains("sync")) {
      SyncBench.run(report);
    }
    if (groups.contains("web")) {
      WebBench.run(report);
    }
    if (groups.contains("cache")) {
      CacheBench.run(report);
    }
    if (groups.contains("walk")) {
      WalkBench.run(report);
    }
    if (groups.contains("queue")) {
      QueueBench.run(report);
    }
    if (groups.contains("rate")) {
      RateBench.run(report);
    }
    if (groups.contains("memory")) {
      MemoryBench.run(report);
    }
    if (groups.contains("process")) {
      ProcessBench.run(report);
    }
    if (groups.contains("cluster")) {
      ClusterBench.run(report);
    }
    report.print();
    System.exit(0);
  }

  private Bench() {
  }
}
