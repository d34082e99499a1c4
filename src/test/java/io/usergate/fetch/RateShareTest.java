package io.usergate.fetch;

import io.usergate.fetch.ClusterBudget.Membership;
import io.usergate.support.Poll;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class RateShareTest {

  @Test
  @DisplayName("rate shares are whole numbers that add up to the total, the remainder to the first nodes; "
    + "fewer calls than nodes are split evenly; 0 stays no limit")
  void shares() {
    assertEquals(23.0, ClusterBudget.rateShare(45, new Membership(2, 0)));
    assertEquals(22.0, ClusterBudget.rateShare(45, new Membership(2, 1)));
    double sum = 0;
    for (int position = 0; position < 7; position++) {
      double share = ClusterBudget.rateShare(100, new Membership(7, position));
      assertEquals(Math.rint(share), share, "a whole number");
      sum += share;
    }
    assertEquals(100.0, sum);
    assertEquals(0.75, ClusterBudget.rateShare(3, new Membership(4, 3)));
    assertEquals(0.0, ClusterBudget.rateShare(0, new Membership(3, 1)));
    assertEquals(40.0, ClusterBudget.rateShare(40, Membership.ALONE));
    assertEquals(2, ClusterBudget.burstShare(5, 2));
    assertEquals(1, ClusterBudget.burstShare(1, 3));
  }

  @Test
  @DisplayName("a lower share applies at once, a higher one only after the settle time, and a newer change replaces a raise still waiting")
  void lowerAtOnceRaiseLater(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      RateLimiter limiter = new RateLimiter(vertx, 40, 1, 0, 100, System::nanoTime);
      RateShare share = new RateShare(vertx, limiter, 40, 1, 300);
      share.members(Membership.ALONE);
      assertEquals(40.0, limiter.rate());
      assertTrue(limiter.acquire(0, new Cancellation()).succeeded(), "alone from the start: no hold");

      share.members(new Membership(2, 0));
      assertEquals(20.0, limiter.rate(), "lowered at once");
      share.members(Membership.ALONE);
      assertEquals(20.0, limiter.rate(), "the raise waits");
      share.members(new Membership(3, 0));
      assertEquals(14.0, limiter.rate(), "a newer, lower share: at once, and the waiting raise is dropped");
      share.members(new Membership(2, 1));
      long raisedFrom = System.nanoTime();
      vertx.timer(150, TimeUnit.MILLISECONDS).onComplete(testContext.succeeding(early -> testContext.verify(() -> {
        assertEquals(14.0, limiter.rate(), "not yet raised");
        Poll.until(vertx, () -> limiter.rate() == 20.0).onComplete(testContext.succeeding(raised -> testContext.verify(() -> {
          assertTrue(System.nanoTime() - raisedFrom >= 300_000_000L, "raised after the settle time");
          share.close();
          testContext.completeNow();
        })));
      })));
    }));
  }

  @Test
  @DisplayName("a node that joins a cluster takes its share but no token before the settle time")
  void joinerWaits(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      RateLimiter limiter = new RateLimiter(vertx, 40, 1, 0, 100, System::nanoTime);
      RateShare share = new RateShare(vertx, limiter, 40, 1, 300);
      long joined = System.nanoTime();
      share.members(new Membership(2, 1));
      assertEquals(20.0, limiter.rate());
      Future<Void> first = limiter.acquire(10_000, new Cancellation());
      assertFalse(first.isComplete(), "held");
      first.onComplete(testContext.succeeding(token -> testContext.verify(() -> {
        assertTrue(System.nanoTime() - joined >= 300_000_000L, "its first token after the settle time");
        testContext.completeNow();
      })));
    }));
  }
}
