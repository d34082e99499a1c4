package io.usergate.fetch;

import io.usergate.fetch.ClusterBudget.Membership;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * This node's share of a cluster-wide {@code upstream.maxRatePerSecond}, moved as members join and leave
 * without letting the directory see more than the total in any second. The nodes hear of a change one by
 * one, so a node that raised its share before another lowered its own would briefly add up to more:
 * <ul>
 *   <li>a lower share applies at once;</li>
 *   <li>a higher one only after {@code settleMs}, by when every node has heard of the change (a node that
 *       left stopped calling before it left; one still calling through a partition is not counted);</li>
 *   <li>a node that joins a cluster takes no token for {@code settleMs}: the others lower their shares first.</li>
 * </ul>
 * A newer change replaces a raise still waiting. Confined to the fetch verticle's context.
 */
final class RateShare {

  /** What a share paces: the upstream's tokens and writes ({@link Upstream}), or a limiter alone in tests. */
  interface Paced {
    void pace(double ratePerSecond, int burst);

    void holdUntil(long nanos);
  }

  private final Vertx vertx;
  private final Paced limiter;
  private final int totalRate;
  private final int totalBurst;
  private final long settleMs;
  private double applied = -1;
  private Timer raise;

  RateShare(Vertx vertx, Paced limiter, int totalRate, int totalBurst, long settleMs) {
    this.vertx = vertx;
    this.limiter = limiter;
    this.totalRate = totalRate;
    this.totalBurst = totalBurst;
    this.settleMs = settleMs;
  }

  /** The cluster changed (or, the first time, is as it is when the verticle starts). */
  void members(Membership membership) {
    double share = ClusterBudget.rateShare(totalRate, membership);
    int burst = ClusterBudget.burstShare(totalBurst, membership.members());
    cancelRaise();
    if (applied < 0) {
      limiter.pace(share, burst);
      applied = share;
      if (membership.members() > 1) {
        limiter.holdUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settleMs));
      }
    } else if (totalRate == 0 || share <= applied) {
      limiter.pace(share, burst);
      applied = share;
    } else {
      Timer armed = vertx.timer(settleMs, TimeUnit.MILLISECONDS);
      raise = armed;
      armed.onSuccess(fired -> {
        if (raise == armed) {
          raise = null;
          limiter.pace(share, burst);
          applied = share;
        }
      });
    }
  }

  /** The share in force (requests a second; 0: no limit). */
  double applied() {
    return applied;
  }

  void close() {
    cancelRaise();
  }

  private void cancelRaise() {
    if (raise != null) {
      raise.cancel();
      raise = null;
    }
  }
}
