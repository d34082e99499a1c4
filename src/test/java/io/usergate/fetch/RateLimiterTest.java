package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class RateLimiterTest {

  /**
   * {@link System#nanoTime}, remembering its last reading: a grant's callback runs right after the limiter
   * read the clock to hand out that token, so this is the instant the limiter granted it. Measuring with a
   * second clock read in the callback would place grants microseconds (or, on a busy machine, a preemption)
   * late, and a window could then seem to hold one more grant than the limiter gave in it.
   */
  private static final class ObservedClock implements LongSupplier {
    long last;

    @Override
    public long getAsLong() {
      last = System.nanoTime();
      return last;
    }
  }

  /** One grant: which caller (in the order they called) and when, on the limiter's clock. */
  private record Grant(int caller, long atNanos) {
  }

  private static final long SECOND = 1_000_000_000L;

  @Test
  @DisplayName("R = 50 for 3 s with 500 callers queued: at most R + burst grants in any 1-second window, "
    + "burst + R × elapsed in all (less at most 5), first come first served")
  void rateOverThreeSeconds(Vertx vertx, VertxTestContext testContext) {
    int rate = 50;
    int burst = 50;
    ObservedClock clock = new ObservedClock();
    vertx.runOnContext(v -> {
      RateLimiter limiter = new RateLimiter(vertx, rate, burst, 1000, clock);
      List<Grant> grants = new ArrayList<>();
      List<Cancellation> callers = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        int caller = i;
        Cancellation cancellation = new Cancellation();
        callers.add(cancellation);
        limiter.acquire(60_000, cancellation).onSuccess(granted -> grants.add(new Grant(caller, clock.last)));
      }
      long start = grants.get(0).atNanos();
      vertx.timer(3, TimeUnit.SECONDS).onComplete(testContext.succeeding(fired -> testContext.verify(() -> {
        long now = System.nanoTime();
        int total = grants.size();
        double expected = burst + rate * (now - start) / (double) SECOND;
        assertTrue(total <= Math.floor(expected) + 1, total + " grants, more than the " + expected + " allowed");
        assertTrue(total >= expected - 5, total + " grants, fewer than the " + expected + " due (less 5)");
        assertEquals(total, limiter.granted());
        assertEquals(500 - total, limiter.waiting());

        for (int i = 0; i < grants.size(); i++) {
          assertEquals(i, grants.get(i).caller(), "grants follow the order of the calls");
          int inWindow = 0;
          for (int j = i; j < grants.size() && grants.get(j).atNanos() - grants.get(i).atNanos() <= SECOND; j++) {
            inWindow++;
          }
          assertTrue(inWindow <= rate + burst, inWindow + " grants in the second from grant " + i);
        }

        callers.forEach(Cancellation::cancel);
        assertEquals(0, limiter.waiting(), "every cancelled waiter left the queue");
        assertEquals(total, limiter.granted(), "and took no token");
        testContext.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("a waiter whose token would come after its wait fails OVERLOADED at once, naming "
    + "upstream.maxRatePerSecond, without taking a place; the waiters behind it still get their tokens in order")
  void tooLongAWait(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      RateLimiter limiter = new RateLimiter(vertx, 10, 1, 100); // a token every 100 ms
      assertTrue(limiter.acquire(0, new Cancellation()).succeeded(), "the bucket starts full");
      List<String> served = new ArrayList<>();
      Future<Void> a = limiter.acquire(10_000, new Cancellation()).onSuccess(t -> served.add("a"));
      Future<Void> impatient = limiter.acquire(150, new Cancellation()); // its token: in 200 ms
      assertTrue(impatient.failed(), "failed at once");
      UsergateException failure = assertInstanceOf(UsergateException.class, impatient.cause());
      assertEquals(ErrorCode.OVERLOADED, failure.code());
      assertTrue(failure.getMessage().contains("upstream.maxRatePerSecond = 10"), failure.getMessage());
      assertTrue(failure.getMessage().contains("within 150 ms"), failure.getMessage());
      assertEquals(1, limiter.waiting(), "it took no place in the queue");
      Future<Void> c = limiter.acquire(10_000, new Cancellation()).onSuccess(t -> served.add("c"));
      Future<Void> d = limiter.acquire(250, new Cancellation()).onSuccess(t -> served.add("d")); // in 300 ms
      assertTrue(d.failed(), "behind a and c its token comes in 300 ms, after its 250");
      Future.all(a, c).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertEquals(List.of("a", "c"), served);
        assertEquals(3, limiter.granted());
        assertEquals(0, limiter.waiting());
        testContext.completeNow();
      })));
    }));
  }

  @Test
  @DisplayName("a cancelled waiter leaves the queue at once and never takes a token: the next one gets it")
  void cancellation(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      RateLimiter limiter = new RateLimiter(vertx, 20, 1, 100);
      limiter.acquire(0, new Cancellation());
      List<String> served = new ArrayList<>();
      Future<Void> a = limiter.acquire(10_000, new Cancellation()).onSuccess(t -> served.add("a"));
      Cancellation leaves = new Cancellation();
      Future<Void> b = limiter.acquire(10_000, leaves).onSuccess(t -> served.add("b"));
      Future<Void> c = limiter.acquire(10_000, new Cancellation()).onSuccess(t -> served.add("c"));
      assertEquals(3, limiter.waiting());

      leaves.cancel();
      assertTrue(b.failed(), "failed at once");
      assertInstanceOf(CancelledException.class, b.cause());
      assertEquals(2, limiter.waiting());
      Cancellation alreadyCancelled = new Cancellation();
      alreadyCancelled.cancel();
      assertInstanceOf(CancelledException.class, limiter.acquire(10_000, alreadyCancelled).cause());
      assertEquals(2, limiter.waiting());

      Future.all(a, c).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertEquals(List.of("a", "c"), served);
        assertEquals(3, limiter.granted(), "the first, a and c: b took none");
        leaves.cancel(); // twice is harmless
        testContext.completeNow();
      })));
    }));
  }

  @Test
  @DisplayName("a full queue is OVERLOADED at once; with maxQueued 0 nobody waits")
  void fullQueue(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      RateLimiter limiter = new RateLimiter(vertx, 5, 1, 2);
      limiter.acquire(0, new Cancellation());
      Cancellation first = new Cancellation();
      Cancellation second = new Cancellation();
      limiter.acquire(60_000, first);
      limiter.acquire(60_000, second);
      Future<Void> overflow = limiter.acquire(60_000, new Cancellation());
      assertTrue(overflow.failed(), "failed at once");
      UsergateException failure = assertInstanceOf(UsergateException.class, overflow.cause());
      assertEquals(ErrorCode.OVERLOADED, failure.code());
      assertTrue(failure.getMessage().contains("2 queued at upstream.maxRatePerSecond = 5"), failure.getMessage());
      assertEquals(2, limiter.waiting());
      first.cancel();
      second.cancel();

      RateLimiter noQueue = new RateLimiter(vertx, 5, 1, 0);
      assertTrue(noQueue.acquire(0, new Cancellation()).succeeded());
      Future<Void> refused = noQueue.acquire(60_000, new Cancellation());
      assertEquals(ErrorCode.OVERLOADED, assertInstanceOf(UsergateException.class, refused.cause()).code());
      assertEquals(0, noQueue.waiting());
      testContext.completeNow();
    }));
  }

  @Test
  @DisplayName("idle, the bucket fills up to the burst and no further; it starts full")
  void burstCap(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> {
      RateLimiter limiter = new RateLimiter(vertx, 4, 3, 100); // a token every 250 ms
      // A second of idleness is worth 4 tokens; the bucket holds 3.
      vertx.timer(1, TimeUnit.SECONDS).onComplete(testContext.succeeding(idle -> testContext.verify(() -> {
        List<Cancellation> callers = new ArrayList<>();
        int atOnce = 0;
        for (int i = 0; i < 6; i++) {
          Cancellation cancellation = new Cancellation();
          callers.add(cancellation);
          if (limiter.acquire(60_000, cancellation).succeeded()) {
            atOnce++;
          }
        }
        assertEquals(3, atOnce, "the burst, no more");
        assertEquals(3, limiter.waiting());
        callers.forEach(Cancellation::cancel);
        testContext.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("rate 0 is no limit: every acquire succeeds at once; a rate or burst out of range is refused")
  void unlimitedAndRanges(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      RateLimiter unlimited = new RateLimiter(vertx, 0, 1, 0);
      for (int i = 0; i < 10_000; i++) {
        assertTrue(unlimited.acquire(0, new Cancellation()).succeeded());
      }
      assertEquals(0, unlimited.waiting());
      assertEquals(0.0, unlimited.rate());
      assertEquals(10_000, unlimited.granted());

      assertEquals(0.5, new RateLimiter(vertx, 0.5, 1, 10).rate());
      assertThrows(IllegalArgumentException.class, () -> new RateLimiter(vertx, -1, 1, 10));
      assertThrows(IllegalArgumentException.class, () -> new RateLimiter(vertx, Double.NaN, 1, 10));
      assertThrows(IllegalArgumentException.class, () -> new RateLimiter(vertx, 10, 0, 10));
      assertThrows(IllegalArgumentException.class, () -> new RateLimiter(vertx, 10, 1, -1, 10, System::nanoTime));
      testContext.completeNow();
    }));
  }

  @Test
  @DisplayName("R = 50, burst 1, a 20 ms margin, 200 callers at once: no closed 1-second window holds more than 50 grants, "
    + "from the first grant on, and 51 grants always span a second and 15 ms of the margin (5 ms make up timer lateness)")
  void strictPacingWithAMargin(Vertx vertx, VertxTestContext testContext) {
    int rate = 50;
    ObservedClock clock = new ObservedClock();
    vertx.runOnContext(v -> {
      RateLimiter limiter = new RateLimiter(vertx, rate, 1, 20, 1000, clock);
      assertEquals(20_400_000L, limiter.intervalNanos(), "(1 s + 20 ms) / 50");
      List<Long> grants = new ArrayList<>();
      List<Future<Void>> tokens = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        tokens.add(limiter.acquire(60_000, new Cancellation()).onSuccess(granted -> grants.add(clock.last)));
      }
      assertEquals(1, grants.size(), "one token at once, not a second's worth");
      vertx.timer(2500, TimeUnit.MILLISECONDS).onComplete(testContext.succeeding(fired -> testContext.verify(() -> {
        assertTrue(grants.size() > 100, grants.size() + " grants in 2.5 s");
        for (int i = 0; i < grants.size(); i++) {
          int inWindow = 0;
          for (int j = i; j < grants.size() && grants.get(j) - grants.get(i) <= SECOND; j++) {
            inWindow++;
          }
          assertTrue(inWindow <= rate, inWindow + " grants in the closed second from grant " + i);
        }
        for (int i = rate; i < grants.size(); i++) {
          assertTrue(grants.get(i) - grants.get(i - rate) >= SECOND + 15_000_000L,
            "grants " + (i - rate) + " and " + i + " only " + (grants.get(i) - grants.get(i - rate)) + " ns apart");
        }
        limiter.pace(0, 1);
        assertEquals(0, limiter.waiting(), "no limit any more: everyone waiting goes at once");
        assertTrue(tokens.stream().allMatch(Future::succeeded));
        testContext.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("a new pace keeps the queue and spaces the next token from the last one: slower, the gap is the new "
    + "interval; faster, still no token at once")
  void paceChanges(Vertx vertx, VertxTestContext testContext) {
    ObservedClock clock = new ObservedClock();
    vertx.runOnContext(v -> {
      RateLimiter limiter = new RateLimiter(vertx, 100, 1, 0, 100, clock); // a token every 10 ms
      List<String> order = new ArrayList<>();
      List<Long> grants = new ArrayList<>();
      List<Future<Void>> tokens = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String name = "c" + i;
        tokens.add(limiter.acquire(60_000, new Cancellation()).onSuccess(t -> {
          order.add(name);
          grants.add(clock.last);
        }));
      }
      limiter.pace(5, 1); // a token every 200 ms from the first one
      Future.all(tokens).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5"), order, "first come first served across the change");
        for (int i = 1; i < grants.size(); i++) {
          assertTrue(grants.get(i) - grants.get(i - 1) >= 200_000_000L, "gap " + i + ": " + (grants.get(i) - grants.get(i - 1)));
        }
        // Faster now, but the last token was handed out a moment ago: the next waits one new interval, as a
        // fresh bucket (full) would not.
        limiter.pace(2, 1);
        Cancellation caller = new Cancellation();
        Future<Void> next = limiter.acquire(60_000, caller);
        assertFalse(next.isComplete(), "no token at once after a change of pace");
        assertEquals(1, limiter.waiting());
        caller.cancel();
        testContext.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("held until an instant, the limiter hands out no token before it, keeps its waiters in order, and paces them after it")
  void holdUntil(Vertx vertx, VertxTestContext testContext) {
    ObservedClock clock = new ObservedClock();
    vertx.runOnContext(v -> {
      RateLimiter limiter = new RateLimiter(vertx, 20, 1, 0, 100, clock); // a token every 50 ms
      long holdEnds = System.nanoTime() + 300_000_000L;
      limiter.holdUntil(holdEnds);
      Future<Void> impatient = limiter.acquire(100, new Cancellation());
      assertTrue(impatient.failed(), "a wait shorter than the hold is refused at once");
      List<Long> grants = new ArrayList<>();
      List<Future<Void>> tokens = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        tokens.add(limiter.acquire(60_000, new Cancellation()).onSuccess(t -> grants.add(clock.last)));
      }
      assertEquals(3, limiter.waiting());
      Future.all(tokens).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertTrue(grants.get(0) >= holdEnds, "no token during the hold");
        assertTrue(grants.get(2) - grants.get(1) >= 50_000_000L && grants.get(1) - grants.get(0) >= 50_000_000L,
          "paced after it: " + grants);
        testContext.completeNow();
      })));
    });
  }

  /** What became of one random caller. */
  private static final class Outcome {
    final int caller;
    boolean completedAtOnce;
    boolean cancelledWhileWaiting;
    Long grantedAt;
    Throwable failure;

    Outcome(int caller) {
      this.caller = caller;
    }
  }

  @Test
  @DisplayName("3,000 random callers with short and long waits and cancellations: no token to a caller that is gone, "
    + "never more than the bucket allows in any 10 ms, 100 ms or 1 s, first come first served, a bounded queue")
  void randomisedWorkload(Vertx vertx, VertxTestContext testContext) {
    int rate = 200;
    int burst = 10;
    int maxQueued = 100;
    long[] waits = {0, 5, 50, 300, 2_000};
    Random random = new Random(7);
    ObservedClock clock = new ObservedClock();
    vertx.runOnContext(v -> {
      RateLimiter limiter = new RateLimiter(vertx, rate, burst, maxQueued, clock);
      List<Outcome> outcomes = new ArrayList<>();
      List<Future<Void>> settled = new ArrayList<>();
      List<String> violations = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        long startMs = 1 + random.nextInt(1_500);
        long maxWaitMs = waits[random.nextInt(waits.length)];
        long cancelAfterMs = random.nextInt(10) < 3 ? 1 + random.nextInt(100) : -1;
        Promise<Void> done = Promise.promise();
        settled.add(done.future());
        vertx.timer(startMs, TimeUnit.MILLISECONDS).onSuccess(started -> {
          Outcome outcome = new Outcome(outcomes.size());
          outcomes.add(outcome);
          Cancellation cancellation = new Cancellation();
          Future<Void> token = limiter.acquire(maxWaitMs, cancellation);
          outcome.completedAtOnce = token.isComplete();
          if (limiter.waiting() > maxQueued) {
            violations.add(limiter.waiting() + " waiting, more than " + maxQueued);
          }
          token.onComplete(result -> {
            if (result.succeeded()) {
              outcome.grantedAt = clock.last;
            } else {
              outcome.failure = result.cause();
            }
            done.complete();
          });
          if (cancelAfterMs >= 0) {
            vertx.timer(cancelAfterMs, TimeUnit.MILLISECONDS).onSuccess(t -> {
              boolean waiting = !token.isComplete();
              int queuedBefore = limiter.waiting();
              cancellation.cancel();
              if (waiting) {
                outcome.cancelledWhileWaiting = true;
                if (!(token.failed() && token.cause() instanceof CancelledException)) {
                  violations.add("caller " + outcome.caller + " still there after its cancellation: " + token);
                }
                if (limiter.waiting() != queuedBefore - 1) {
                  violations.add("caller " + outcome.caller + " cancelled but still counted as waiting");
                }
              }
            });
          }
        });
      }
      Future.all(settled).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertEquals(List.of(), violations);
        assertEquals(0, limiter.waiting());
        List<Outcome> served = outcomes.stream().filter(o -> o.grantedAt != null).toList();
        assertEquals(served.size(), limiter.granted(), "every token went to a caller still there");
        assertTrue(served.size() > 100, "a real load: " + served.size() + " served");
        int cancelled = 0;
        int overloaded = 0;
        for (Outcome outcome : outcomes) {
          if (outcome.cancelledWhileWaiting) {
            cancelled++;
            assertInstanceOf(CancelledException.class, outcome.failure);
          } else if (outcome.failure != null) {
            overloaded++;
            UsergateException failure = assertInstanceOf(UsergateException.class, outcome.failure);
            assertEquals(ErrorCode.OVERLOADED, failure.code());
            assertTrue(outcome.completedAtOnce, "OVERLOADED only at once, never after a wait");
          }
        }
        assertTrue(cancelled > 10 && overloaded > 10, cancelled + " cancelled, " + overloaded + " overloaded");
        for (int i = 1; i < served.size(); i++) {
          assertTrue(served.get(i).caller > served.get(i - 1).caller, "first come first served");
          assertTrue(served.get(i).grantedAt >= served.get(i - 1).grantedAt);
        }
        for (long window : new long[] {10_000_000L, 100_000_000L, SECOND}) {
          long allowed = burst + window * rate / SECOND;
          for (int i = 0; i < served.size(); i++) {
            int inWindow = 0;
            for (int j = i; j < served.size() && served.get(j).grantedAt - served.get(i).grantedAt <= window; j++) {
              inWindow++;
            }
            assertTrue(inWindow <= allowed, inWindow + " grants within " + window / 1_000_000 + " ms of grant "
              + i + ", more than " + allowed);
          }
        }
        assertFalse(served.isEmpty());
        testContext.completeNow();
      })));
    });
  }
}
