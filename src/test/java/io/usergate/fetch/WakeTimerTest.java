package io.usergate.fetch;

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
class WakeTimerTest {

  /** The names of the timers that fired, in order, and when (System.nanoTime). */
  private final List<String> fired = new ArrayList<>();
  private final List<Long> firedAt = new ArrayList<>();

  private WakeTimer timer(Vertx vertx, String name) {
    return new WakeTimer(vertx, () -> {
      fired.add(name);
      firedAt.add(System.nanoTime());
    });
  }

  private static long inMs(long from, long ms) {
    return from + TimeUnit.MILLISECONDS.toNanos(ms);
  }

  @Test
  @DisplayName("armed again, a wake timer fires only for the new instant; cancelled, it does not fire; an instant past fires in 1 ms")
  void rearmAndCancel(Vertx vertx, VertxTestContext testContext) {
    long now = System.nanoTime();
    WakeTimer replaced = timer(vertx, "replaced");
    WakeTimer cancelled = timer(vertx, "cancelled");
    vertx.runOnContext(v -> testContext.verify(() -> {
      replaced.armAt(inMs(now, 50), now);
      replaced.armAt(inMs(now, 250), now);
      cancelled.armAt(inMs(now, 50), now);
      cancelled.cancel();
      assertFalse(cancelled.armed());
      timer(vertx, "past").armAt(now - TimeUnit.SECONDS.toNanos(1), now);
      vertx.timer(150, TimeUnit.MILLISECONDS).onComplete(testContext.succeeding(early -> testContext.verify(() -> {
        assertEquals(List.of("past"), fired, "the first instant of the re-armed one is gone");
        vertx.timer(300, TimeUnit.MILLISECONDS).onComplete(testContext.succeeding(late -> testContext.verify(() -> {
          assertEquals(List.of("past", "replaced"), fired);
          testContext.completeNow();
        })));
      })));
    }));
  }

  @Test
  @DisplayName("a wake timer fires once, no earlier than the instant it was armed for, and is no longer armed after")
  void firesAtTheInstant(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      long start = System.nanoTime();
      WakeTimer timer = timer(vertx, "once");
      timer.armAt(inMs(start, 150), start);
      assertTrue(timer.armed());
      vertx.timer(400, TimeUnit.MILLISECONDS).onComplete(testContext.succeeding(later -> testContext.verify(() -> {
        assertEquals(List.of("once"), fired);
        long afterMs = (firedAt.get(0) - start) / 1_000_000;
        assertTrue(afterMs >= 150, "fired after " + afterMs + " ms");
        assertFalse(timer.armed());
        testContext.completeNow();
      })));
    }));
  }
}
