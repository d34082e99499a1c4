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

  @Test
  @DisplayName("a wake timer fires once, no earlier than the instant it was armed for, and is no longer armed after")
  void firesAtTheInstant(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      long start = System.nanoTime();
      List<Long> firedAfterMs = new ArrayList<>();
      WakeTimer[] timer = new WakeTimer[1];
      timer[0] = new WakeTimer(vertx, () -> firedAfterMs.add((System.nanoTime() - start) / 1_000_000));
      timer[0].armAt(start + TimeUnit.MILLISECONDS.toNanos(150), start);
      assertTrue(timer[0].armed());
      vertx.timer(400, TimeUnit.MILLISECONDS).onComplete(testContext.succeeding(later -> testContext.verify(() -> {
        assertEquals(1, firedAfterMs.size(), "once: " + firedAfterMs);
        assertTrue(firedAfterMs.get(0) >= 150, "fired after " + firedAfterMs.get(0) + " ms");
        assertFalse(timer[0].armed());
        testContext.completeNow();
      })));
    }));
  }

  @Test
  @DisplayName("armed again, a wake timer fires only for the new instant; cancelled, it does not fire; an instant past fires in 1 ms")
  void rearmAndCancel(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      long now = System.nanoTime();
      List<String> fired = new ArrayList<>();
      WakeTimer replaced = new WakeTimer(vertx, () -> fired.add("replaced"));
      replaced.armAt(now + TimeUnit.MILLISECONDS.toNanos(50), now);
      replaced.armAt(now + TimeUnit.MILLISECONDS.toNanos(250), now);
      WakeTimer cancelled = new WakeTimer(vertx, () -> fired.add("cancelled"));
      cancelled.armAt(now + TimeUnit.MILLISECONDS.toNanos(50), now);
      cancelled.cancel();
      assertFalse(cancelled.armed());
      WakeTimer past = new WakeTimer(vertx, () -> fired.add("past"));
      past.armAt(now - TimeUnit.SECONDS.toNanos(1), now);
      vertx.timer(150, TimeUnit.MILLISECONDS).onComplete(testContext.succeeding(early -> testContext.verify(() -> {
        assertEquals(List.of("past"), fired, "the first instant of the re-armed one is gone");
        vertx.timer(300, TimeUnit.MILLISECONDS).onComplete(testContext.succeeding(late -> testContext.verify(() -> {
          assertEquals(List.of("past", "replaced"), fired);
          testContext.completeNow();
        })));
      })));
    }));
  }
}
