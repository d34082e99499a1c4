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
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

import static io.usergate.fetch.FetchAddresses.ANONYMOUS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class FairQueueTest {

  private static final long LONG_WAIT = 10_000;

  /** Permit holders now and at most; touched on the event loop only. */
  private static final class Holders {
    int now;
    int max;

    void enter() {
      max = Math.max(max, ++now);
    }
  }

  /** Runs {@code check} on the event loop, then ends the test. */
  private static void onContext(Vertx vertx, VertxTestContext testContext, Consumer<Vertx> check) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      check.accept(vertx);
      testContext.completeNow();
    }));
  }

  private static Function<String, FairQueue.Share> everyone(int weight, int maxQueued) {
    FairQueue.Share share = new FairQueue.Share(weight, maxQueued);
    return caller -> share;
  }

  /** Waiters in a queue, each recording its caller's name in {@code served} when it gets a permit. */
  private static final class Waiters {
    final List<String> served = new ArrayList<>();
    private final List<Future<FairQueue.Permit>> holders = new ArrayList<>();
    private final FairQueue queue;

    Waiters(FairQueue queue) {
      this.queue = queue;
    }

    /** Adds {@code count} waiters of {@code caller}. */
    Waiters add(String caller, int count) {
      for (int i = 0; i < count; i++) {
        holders.add(queue.acquire(caller, LONG_WAIT, new Cancellation()).onSuccess(permit -> served.add(caller)));
      }
      return this;
    }

    /** Releases {@code releases} permits, the oldest holder's first. */
    void serve(int releases) {
      for (int i = 0; i < releases; i++) {
        holders.stream().filter(Future::succeeded).findFirst().ifPresent(f -> {
          holders.remove(f);
          f.result().release();
        });
      }
    }
  }

  @Test
  @DisplayName("one caller: waiters are served first in, first out; a cancelled waiter is skipped; a full queue is OVERLOADED at once")
  void oneCallerIsFifo(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, v -> {
      FairQueue queue = new FairQueue(vertx, 1, everyone(1, 3));
      FairQueue.Permit first = queue.acquire(ANONYMOUS, LONG_WAIT, new Cancellation()).result();
      List<String> served = new ArrayList<>();
      Future<FairQueue.Permit> a = queue.acquire(ANONYMOUS, LONG_WAIT, new Cancellation()).onSuccess(p -> served.add("a"));
      Cancellation leavesEarly = new Cancellation();
      Future<FairQueue.Permit> b = queue.acquire(ANONYMOUS, LONG_WAIT, leavesEarly).onSuccess(p -> served.add("b"));
      Future<FairQueue.Permit> c = queue.acquire(ANONYMOUS, LONG_WAIT, new Cancellation()).onSuccess(p -> served.add("c"));
      Future<FairQueue.Permit> overflow = queue.acquire(ANONYMOUS, LONG_WAIT, new Cancellation());
      assertTrue(overflow.failed());
      assertEquals(ErrorCode.OVERLOADED, assertInstanceOf(UsergateException.class, overflow.cause()).code(),
        "the anonymous caller is everyone unnamed: its full queue is the service's overload, 503");

      leavesEarly.cancel();
      assertInstanceOf(CancelledException.class, b.cause());
      assertEquals(2, queue.queued());
      first.release();
      first.release(); // twice is harmless
      assertEquals(List.of("a"), served);
      a.result().release();
      assertEquals(List.of("a", "c"), served, "b left the queue, so the permit passed to c");
      c.result().release();
      assertEquals(1, queue.available());
      assertEquals(0, queue.queued());
      assertEquals(0, queue.waitingCallers());
    });
  }

  @Test
  @DisplayName("a noisy caller with 100 waiting and a quiet one with 1: the quiet one gets the second permit freed, not the 101st")
  void quietCallerIsNotStarved(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, v -> {
      FairQueue queue = new FairQueue(vertx, 2, everyone(1, 1000));
      Waiters waiters = new Waiters(queue).add("noisy", 102);
      assertEquals(List.of("noisy", "noisy"), waiters.served, "two permits, taken at once");
      waiters.add("quiet", 1);
      waiters.serve(2);
      assertEquals(List.of("noisy", "noisy", "noisy", "quiet"), waiters.served, "noisy's turn, then quiet's");
      assertEquals(1, queue.waitingCallers(), "quiet's queue is empty and gone");
    });
  }

  @Test
  @DisplayName("weights 3, 2 and 1, all queues long: of 60 permits freed they get 30, 20 and 10, interleaved, never 2 rounds ahead")
  void fairnessByWeight(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, v -> {
      Map<String, Integer> weights = Map.of("a", 3, "b", 2, "c", 1);
      FairQueue queue = new FairQueue(vertx, 1, caller -> new FairQueue.Share(weights.get(caller), 1000));
      Waiters waiters = new Waiters(queue).add("a", 100);
      waiters.add("b", 100);
      waiters.add("c", 100);
      waiters.served.clear();
      waiters.serve(60);
      assertEquals(30, waiters.served.stream().filter("a"::equals).count());
      assertEquals(20, waiters.served.stream().filter("b"::equals).count());
      assertEquals(10, waiters.served.stream().filter("c"::equals).count());
      // Each round of 6 permits is a a a b b c: a heavy caller takes its share round by round, not in one run.
      for (int round = 0; round < 10; round++) {
        List<String> oneRound = waiters.served.subList(round * 6, round * 6 + 6);
        assertEquals(List.of("a", "a", "a", "b", "b", "c"), oneRound, "round " + round + " of " + waiters.served);
      }
    });
  }

  @Test
  @DisplayName("an idle caller saves no credit: back after a pause with 10 waiting, it gets its weight per round like the others")
  void noCreditWhileIdle(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, v -> {
      FairQueue queue = new FairQueue(vertx, 1, everyone(1, 1000));
      Waiters waiters = new Waiters(queue).add("noisy", 50);
      waiters.serve(20);
      waiters.add("back", 10);
      waiters.served.clear();
      waiters.serve(6);
      assertEquals(List.of("noisy", "back", "noisy", "back", "noisy", "back"), waiters.served);
    });
  }

  @Test
  @DisplayName("a named caller whose queue is full is refused TOO_MANY_REQUESTS at once, and another caller still waits and is served")
  void fullQueueRefusedAlone(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, v -> {
      FairQueue queue = new FairQueue(vertx, 1,
        caller -> new FairQueue.Share(1, "noisy".equals(caller) ? 2 : 5));
      Waiters waiters = new Waiters(queue).add("noisy", 3);
      Future<FairQueue.Permit> refused = queue.acquire("noisy", LONG_WAIT, new Cancellation());
      assertTrue(refused.failed(), "refused at once, not after a wait");
      UsergateException error = assertInstanceOf(UsergateException.class, refused.cause());
      assertEquals(ErrorCode.TOO_MANY_REQUESTS, error.code());
      assertEquals(429, error.code().status());
      assertTrue(error.getMessage().contains("caller noisy has 2 upstream requests waiting"), error.getMessage());

      waiters.add("quiet", 5);
      assertEquals(5, queue.queued("quiet"), "the quiet caller's own queue takes its own maxQueued");
      assertTrue(queue.acquire("quiet", LONG_WAIT, new Cancellation()).failed(), "and is full at its own limit");
      waiters.serve(2);
      assertEquals(List.of("noisy", "noisy", "quiet"), waiters.served);
    });
  }

  @Test
  @DisplayName("maxQueued 0: nobody of that caller waits, though a permit free now is still taken")
  void maxQueuedZero(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, v -> {
      FairQueue queue = new FairQueue(vertx, 1, everyone(1, 0));
      assertTrue(queue.acquire("a", LONG_WAIT, new Cancellation()).succeeded());
      assertEquals(ErrorCode.TOO_MANY_REQUESTS, UsergateException.from(
        queue.acquire("a", LONG_WAIT, new Cancellation()).cause()).code());
    });
  }

  @Test
  @DisplayName("resize (a cluster share): more permits serve the waiters at once, in turn; fewer take effect as holders release")
  void resize(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, v -> {
      FairQueue queue = new FairQueue(vertx, 2, everyone(1, 10));
      Waiters waiters = new Waiters(queue).add("a", 4);
      waiters.add("b", 2);
      queue.resize(4);
      assertEquals(List.of("a", "a", "a", "b"), waiters.served, "two more served at once, in turn");
      queue.resize(1);
      waiters.serve(3);
      assertEquals(4, waiters.served.size(), "4 held, 1 allowed: releases are not handed on");
      assertEquals(1, queue.inFlight());
      waiters.serve(1);
      assertEquals(List.of("a", "a", "a", "b", "a"), waiters.served, "below the new size: the next in turn is served");
      assertEquals(1, queue.inFlight());
    });
  }

  @Test
  @DisplayName("a waiter that waits too long fails OVERLOADED and leaves its queue; its caller's empty queue goes")
  void waitTimeout(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> {
      FairQueue queue = new FairQueue(vertx, 1, everyone(1, 10));
      FairQueue.Permit held = queue.acquire("a", LONG_WAIT, new Cancellation()).result();
      Future<FairQueue.Permit> other = queue.acquire("b", LONG_WAIT, new Cancellation());
      queue.acquire("a", 50, new Cancellation()).onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertEquals(ErrorCode.OVERLOADED, UsergateException.from(failure).code());
        assertTrue(failure.getMessage().contains("within 50 ms"), failure.getMessage());
        assertEquals(0, queue.queued("a"));
        assertEquals(1, queue.waitingCallers(), "only b still waits");
        held.release();
        assertTrue(other.succeeded(), "the permit went to b");
        other.result().release();
        assertEquals(1, queue.available());
        testContext.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("10,000 random acquisitions of 5 callers with failures, timeouts and cancellations: never more than the limit, all permits back")
  void randomisedWorkload(Vertx vertx, VertxTestContext testContext) {
    int permits = 8;
    Random random = new Random(42);
    vertx.runOnContext(v -> {
      FairQueue queue = new FairQueue(vertx, permits, caller -> new FairQueue.Share(1 + caller.length() % 3, 500));
      List<Future<Void>> operations = new ArrayList<>();
      Holders holders = new Holders();
      for (int i = 0; i < 10_000; i++) {
        String caller = "c".repeat(1 + random.nextInt(5));
        Cancellation cancellation = new Cancellation();
        long waitTimeout = random.nextInt(10) == 0 ? 1 : 5_000;
        int holdMs = random.nextInt(3);
        boolean fails = random.nextInt(5) == 0;
        if (random.nextInt(7) == 0) {
          vertx.setTimer(1 + random.nextInt(20), t -> cancellation.cancel());
        }
        Promise<Void> done = Promise.promise();
        operations.add(done.future());
        queue.acquire(caller, waitTimeout, cancellation).onComplete(acquired -> {
          if (acquired.failed()) {
            done.complete();
            return;
          }
          FairQueue.Permit permit = acquired.result();
          holders.enter();
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
        assertEquals(permits, queue.available());
        assertEquals(0, queue.queued());
        assertEquals(0, queue.waitingCallers());
        assertEquals(0, queue.inFlight());
        testContext.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("a share needs a weight of at least 1 and a maxQueued of at least 0")
  void shareChecked() {
    assertFalse(runs(() -> new FairQueue.Share(0, 1)));
    assertFalse(runs(() -> new FairQueue.Share(1, -1)));
    assertTrue(runs(() -> new FairQueue.Share(1, 0)));
  }

  private static boolean runs(Runnable action) {
    try {
      action.run();
      return true;
    } catch (IllegalArgumentException refused) {
      return false;
    }
  }
}
