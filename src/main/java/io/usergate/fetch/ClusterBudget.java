package io.usergate.fetch;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code upstream.budget = cluster}: {@code upstream.maxConcurrent} and {@code upstream.maxRatePerSecond}
 * are totals for the whole cluster, and each node takes its share, recomputed whenever members join or
 * leave (the cluster manager's membership events: no new server). The upstream then never sees more
 * than the totals, however many nodes run; {@link RateShare} changes the rate without a burst.
 */
final class ClusterBudget implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterBudget.class);

  /**
   * How long a node waits before it raises its rate share, or takes its first token on joining: long
   * enough for every node to hear of a membership change (Hazelcast tells them within milliseconds on a
   * healthy network), and one second: a window of the directory's count.
   */
  static final long SETTLE_MS = 1000;

  private final Cluster cluster;
  private final UUID registration;

  private ClusterBudget(Cluster cluster, UUID registration) {
    this.cluster = cluster;
    this.registration = registration;
  }

  /**
   * The cluster as this node sees it: {@code members} nodes, this one at {@code position} (0-based) in the
   * member list, which Hazelcast keeps in the same order (oldest first) on every node.
   */
  record Membership(int members, int position) {

    static final Membership ALONE = new Membership(1, 0);

    static Membership of(Set<Member> members, Member local) {
      int position = 0;
      for (Member member : members) {
        if (member.getUuid().equals(local.getUuid())) {
          return new Membership(members.size(), position);
        }
        position++;
      }
      // Not in the list: this node is leaving; count it in, last.
      return new Membership(members.size() + 1, members.size());
    }
  }

  /** A node's share of {@code total} permits: at least one, so that a node can always serve. */
  static int permitShare(int total, int members) {
    return Math.max(1, total / Math.max(1, members));
  }

  /**
   * A node's share of {@code total} requests a second; 0 (no limit) stays 0. Whole numbers that add up to
   * the total, the remainder going to the first nodes of the list: a node paced at a fraction of a call a
   * second could still place its whole last call in a window, and fractions of several nodes would add up
   * to more than the total. With fewer requests a second than nodes, each takes an equal fraction, and then
   * their calls can meet in one second: that budget is smaller than the cluster.
   */
  static double rateShare(int total, Membership membership) {
    int members = Math.max(1, membership.members());
    if (total == 0) {
      return 0;
    }
    if (total < members) {
      return Math.max(0.001, (double) total / members);
    }
    return total / members + (membership.position() < total % members ? 1 : 0);
  }

  /** A node's share of {@code upstream.maxBurst}: at least one call. */
  static int burstShare(int total, int members) {
    return Math.max(1, total / Math.max(1, members));
  }

  /**
   * Calls {@code onMembers} with the membership now and at every change, on the caller's context.
   * Not clustered: once, alone.
   */
  static ClusterBudget watch(Vertx vertx, Consumer<Membership> onMembers) {
    Context context = vertx.getOrCreateContext();
    if (!vertx.isClustered()) {
      onMembers.accept(Membership.ALONE);
      return new ClusterBudget(null, null);
    }
    // Vert.x 5 has no public accessor for the cluster manager of a running Vert.x; the membership events
    // are the cluster manager's (Hazelcast's), so this one internal call is the way to them.
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    if (!(manager instanceof HazelcastClusterManager hazelcast)) {
      int members = manager.getNodes().size();
      LOG.warn("fetch: upstream.budget=cluster with a cluster manager that is not Hazelcast: shares computed once, for {} members",
        members);
      onMembers.accept(new Membership(members, members - 1));
      return new ClusterBudget(null, null);
    }
    Cluster cluster = hazelcast.getHazelcastInstance().getCluster();
    Member local = cluster.getLocalMember();
    UUID registration = cluster.addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        Membership membership = Membership.of(event.getMembers(), local);
        context.runOnContext(v -> onMembers.accept(membership));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        Membership membership = Membership.of(event.getMembers(), local);
        context.runOnContext(v -> onMembers.accept(membership));
      }
    });
    onMembers.accept(Membership.of(cluster.getMembers(), local));
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
