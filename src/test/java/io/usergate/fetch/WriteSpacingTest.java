package io.usergate.fetch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class WriteSpacingTest {

  @Test
  @DisplayName("10 writes at once at R = 50 with a 20 ms margin: the first at once, the others one interval of "
    + "(1 s + 10 ms) / 50 apart, in order")
  void aBunchIsSpread(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> {
      WriteSpacing spacing = new WriteSpacing(vertx, 50, 1, 20, System::nanoTime);
      assertEquals(20_200_000L, spacing.intervalNanos());
      List<Long> went = new ArrayList<>();
      List<Integer> order = new ArrayList<>();
      List<Future<Void>> writes = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        int write = i;
        writes.add(spacing.next().onSuccess(go -> {
          went.add(System.nanoTime());
          order.add(write);
        }));
      }
      testContext.verify(() -> assertTrue(writes.get(0).succeeded() && !writes.get(1).isComplete(), "the first at once only"));
      Future.all(writes).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), order);
        for (int i = 1; i < went.size(); i++) {
          // The timers fire at their slot or later, never sooner; each slot is one interval after the one before.
          assertTrue(went.get(i) - start >= i * 20_200_000L, "write " + i + " " + (went.get(i) - start) + " ns after the first was asked for");
        }
        testContext.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("writes that come at the limiter's pace (a longer interval) go at once, every one: the spacing only waits after a hold-up")
  void pacedWritesDoNotWait(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> {
      WriteSpacing spacing = new WriteSpacing(vertx, 50, 1, 20, System::nanoTime);
      List<Boolean> atOnce = new ArrayList<>();
      writeEvery(vertx, spacing, 21, 8, atOnce).onComplete(testContext.succeeding(done -> testContext.verify(() -> {
        assertEquals(8, atOnce.size());
        assertFalse(atOnce.contains(false), "every write at once: " + atOnce);
        testContext.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("a burst of 3 goes at once, the fourth waits; rate 0 never waits; a new pace spaces the next write from the last")
  void burstRateZeroAndPace(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      WriteSpacing burst = new WriteSpacing(vertx, 10, 3, 0, System::nanoTime);
      assertTrue(burst.next().succeeded() && burst.next().succeeded() && burst.next().succeeded());
      assertFalse(burst.next().isComplete());

      WriteSpacing unlimited = new WriteSpacing(vertx, 0, 1, 20, System::nanoTime);
      for (int i = 0; i < 1000; i++) {
        assertTrue(unlimited.next().succeeded());
      }

      WriteSpacing paced = new WriteSpacing(vertx, 1000, 1, 0, System::nanoTime);
      assertTrue(paced.next().succeeded());
      paced.pace(1, 1);
      assertFalse(paced.next().isComplete(), "one new interval (1 s) after the last write");
      testContext.completeNow();
    }));
  }

  /** {@code count} writes, one every {@code everyMs}; whether each went at once. */
  private static Future<Void> writeEvery(Vertx vertx, WriteSpacing spacing, long everyMs, int count, List<Boolean> atOnce) {
    if (count == 0) {
      return Future.succeededFuture();
    }
    atOnce.add(spacing.next().succeeded());
    return vertx.timer(everyMs, TimeUnit.MILLISECONDS).compose(t -> writeEvery(vertx, spacing, everyMs, count - 1, atOnce));
  }
}
