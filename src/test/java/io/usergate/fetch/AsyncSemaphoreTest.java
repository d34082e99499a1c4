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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class AsyncSemaphoreTest {

  /** Permit holders now and at most; touched on the event loop only. */
  private static final class Holders {
    int now;
    int max;

    void enter() {
      max = Math.max(max, ++now);
    }
  }

  @Test
  @DisplayName("waiters are served first in, first out; a cancelled waiter is skipped; a full queue is OVERLOADED at once")
  void fifoCancellationAndOverload(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 1, 3);
      AsyncSemaphore.Permit first = semaphore.acquire(10_000, new Cancellation()).result();
      List<String> served = new ArrayList<>();
      Future<AsyncSemaphore.Permit> a = semaphore.acquire(10_000, new Cancellation()).onSuccess(p -> served.add("a"));
      Cancellation leavesEarly = new Cancellation();
      Future<AsyncSemaphore.Permit> b = semaphore.acquire(10_000, leavesEarly).onSuccess(p -> served.add("b"));
      Future<AsyncSemaphore.Permit> c = semaphore.acquire(10_000, new Cancellation()).onSuccess(p -> served.add("c"));
      Future<AsyncSemaphore.Permit> overflow = semaphore.acquire(10_000, new Cancellation());
      assertTrue(overflow.failed());
      assertEquals(ErrorCode.OVERLOADED, assertInstanceOf(UsergateException.class, overflow.cause()).code());

      leavesEarly.cancel();
      assertTrue(b.failed());
      assertEquals(2, semaphore.queued());
      first.release();
      first.release(); // twice is harmless
      assertEquals(List.of("a"), served);
      a.result().release();
      assertEquals(List.of("a", "c"), served, "b left the queue, so the permit passed to c");
      c.result().release();
      assertEquals(1, semaphore.available());
      assertEquals(0, semaphore.queued());
      testContext.completeNow();
    }));
  }

  @Test
  @DisplayName("resize (a cluster share): more permits serve the waiters at once; fewer take effect as holders release")
  void resize(Vertx vertx) throws Exception {
    Promise<Void> checked = Promise.promise();
    vertx.runOnContext(v -> {
      try {
        AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 2, 10);
        AsyncSemaphore.Permit first = semaphore.acquire(10_000, new Cancellation()).result();
        AsyncSemaphore.Permit second = semaphore.acquire(10_000, new Cancellation()).result();
        io.vertx.core.Future<AsyncSemaphore.Permit> third = semaphore.acquire(10_000, new Cancellation());
        io.vertx.core.Future<AsyncSemaphore.Permit> fourth = semaphore.acquire(10_000, new Cancellation());
        semaphore.resize(3);
        org.junit.jupiter.api.Assertions.assertTrue(third.succeeded() && !fourth.isComplete(), "one more served at once");
        semaphore.resize(1);
        first.release();
        second.release();
        org.junit.jupiter.api.Assertions.assertFalse(fourth.isComplete(), "3 held, 1 allowed: releases are not handed on");
        org.junit.jupiter.api.Assertions.assertEquals(1, semaphore.inFlight());
        third.result().release();
        org.junit.jupiter.api.Assertions.assertTrue(fourth.succeeded(), "below the new size: the waiter is served");
        org.junit.jupiter.api.Assertions.assertEquals(1, semaphore.inFlight());
        checked.complete();
      } catch (Throwable failure) {
        checked.fail(failure);
      }
    });
    checked.future().await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a waiter that waits too long fails OVERLOADED and leaves the queue")
  void waitTimeout(Vertx vertx) throws Exception {
    Promise<Void> checked = Promise.promise();
    vertx.runOnContext(v -> {
      AsyncSemaphore semaphore = new AsyncSemaphore(vertx, 1, 10);
      AsyncSemaphore.Permit held = semaphore.acquire(10_000, new Cancellation()).result();
      semaphore.acquire(50, new Cancellation()).onFailure(failure -> {
        if (semaphore.queued() == 0 && ((UsergateException) failure).code() == ErrorCode.OVERLOADED) {
          held.release();
          if (semaphore.available() == 1) {
            checked.complete();
            return;
          }
        }
        checked.fail("left in a bad state: " + failure);
      });
    });
    checked.future().await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("10,000 random acquisitions with failures, timeouts and cancellations: never more than the limit, all permits back")
  void randomisedWorkload(Vertx vertx, VertxTestContext testContext) {
    int permits = 8;
    Random random = new Random(42);
    vertx.runOnContext(v -> {
      AsyncSemaphore semaphore = new AsyncSemaphore(vertx, permits, 2000);
      List<Future<Void>> operations = new ArrayList<>();
      Holders holders = new Holders();
      for (int i = 0; i < 10_000; i++) {
        Cancellation cancellation = new Cancellation();
        long waitTimeout = random.nextInt(10) == 0 ? 1 : 5_000;
        int holdMs = random.nextInt(3);
        boolean fails = random.nextInt(5) == 0;
        if (random.nextInt(7) == 0) {
          vertx.setTimer(1 + random.nextInt(20), t -> cancellation.cancel());
        }
        Promise<Void> done = Promise.promise();
        operations.add(done.future());
        semaphore.acquire(waitTimeout, cancellation).onComplete(acquired -> {
          if (acquired.failed()) {
            done.complete();
            return;
          }
          AsyncSemaphore.Permit permit = acquired.result();
          holders.enter();
          // The work: succeeds or fails after a while, or is cut short by the cancellation.
          Promise<Void> work = Promise.promise();
          vertx.setTimer(holdMs + 1, t -> {
            if (fails) {
              work.tryFail("boom");
            } else {
              work.tryComplete();
            }
          });
          cancellation.onCancel(() -> work.tryFail("cancelled"));
          work.future().onComplete(finished -> {
            holders.now--;
            permit.release();
            done.complete();
          });
        });
      }
      Future.all(operations).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertTrue(holders.max <= permits, "at most " + permits + " at once, saw " + holders.max);
        assertEquals(permits, holders.max, "the limit was reached");
        assertEquals(permits, semaphore.available());
        assertEquals(0, semaphore.queued());
        assertEquals(0, semaphore.inFlight());
        testContext.completeNow();
      })));
    });
  }
}
