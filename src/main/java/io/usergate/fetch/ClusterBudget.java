package io.usergate.fetch;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * {@code upstream.budget = cluster}: {@code upstream.maxConcurrent} and {@code upstream.maxRatePerSecond}
 * are totals for the whole cluster, and each node takes its share, recomputed whenever members join or
 * leave (the cluster manager's membership events: no new server). The upstream then never sees more
 * than the totals, however many nodes run.
 */
final class ClusterBudget implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterBudget.class);

  private final Cluster cluster;
  private final UUID registration;

  private ClusterBudget(Cluster cluster, UUID registration) {
    this.cluster = cluster;
    this.registration = registration;
  }

  /** A node's share of {@code total} permits: at least one, so that a node can always serve. */
  static int permitShare(int total, int members) {
    return Math.max(1, total / Math.max(1, members));
  }

  /** A node's share of {@code total} requests a second; 0 (no limit) stays 0. */
  static double rateShare(int total, int members) {
    return total == 0 ? 0 : Math.max(0.001, (double) total / Math.max(1, members));
  }

  /**
   * Calls {@code onMembers} with the number of members now and at every change, on the caller's context.
   * Not clustered: once, with 1.
   */
  static ClusterBudget watch(Vertx vertx, IntConsumer onMembers) {
    Context context = vertx.getOrCreateContext();
    if (!vertx.isClustered()) {
      onMembers.accept(1);
      return new ClusterBudget(null, null);
    }
    // Vert.x 5 has no public accessor for the cluster manager of a running Vert.x; the membership events
    // are the cluster manager's (Hazelcast's), so this one internal call is the way to them.
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    if (!(manager instanceof HazelcastClusterManager hazelcast)) {
      int members = manager.getNodes().size();
      LOG.warn("fetch: upstream.budget=cluster with a cluster manager that is not Hazelcast: shares computed once, for {} members",
        members);
      onMembers.accept(members);
      return new ClusterBudget(null, null);
    }
    Cluster cluster = hazelcast.getHazelcastInstance().getCluster();
    UUID registration = cluster.addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        context.runOnContext(v -> onMembers.accept(event.getMembers().size()));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        context.runOnContext(v -> onMembers.accept(event.getMembers().size()));
      }
    });
    onMembers.accept(cluster.getMembers().size());
    return new ClusterBudget(cluster, registration);
  }

  @Override
  public void close() {
    if (cluster != null) {
      try {
        cluster.removeMembershipListener(registration);
      } catch (RuntimeException alreadyGone) {
        // Hazelcast is shutting down with the node: nothing to remove any more.
      }
    }
  }
}
