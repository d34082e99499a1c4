package io.usergate.fetch;

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
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coalescer on a real Vert.x context, with calls the test completes itself. */
@ExtendWith(VertxExtension.class)
class CoalescerTest {

  /** A call started by the coalescer: it runs until the test completes it, whatever its cancellation says. */
  private record Call(long key, String caller, Cancellation cancellation, Promise<String> result) {
  }

  /** The work behind the coalescer: it records each call it is asked to start. */
  private static final class Calls implements Coalescer.Call<Long, String> {
    final List<Call> started = new ArrayList<>();

    @Override
    public Future<String> start(Long key, String caller, Cancellation cancellation) {
      Call call = new Call(key, caller, cancellation, Promise.promise());
      started.add(call);
      return call.result().future();
    }
  }

  /** Runs {@code check} on the event loop with a coalescer over recorded calls, then ends the test. */
  private static void onContext(Vertx vertx, VertxTestContext testContext, BiConsumer<Calls, Coalescer<Long, String>> check) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      Calls calls = new Calls();
      check.accept(calls, new Coalescer<>(calls));
      testContext.completeNow();
    }));
  }

  @Test
  @DisplayName("100 callers of one key share one call and all get its result; the map is empty once it completes")
  void oneCallForManyCallers(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, (calls, coalescer) -> {
      List<Future<String>> callers = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        callers.add(coalescer.get(7L, "a", new Cancellation()));
      }
      Future<String> otherKey = coalescer.get(8L, "b", new Cancellation());
      assertEquals(2, calls.started.size(), "one call for key 7, one for key 8");
      assertEquals(List.of("a", "b"), calls.started.stream().map(Call::caller).toList(),
        "each call is started for the caller who asked first");
      assertEquals(2, coalescer.size());

      calls.started.get(0).result().complete("user 7");
      callers.forEach(caller -> assertEquals("user 7", caller.result()));
      assertEquals(1, coalescer.size(), "key 7 left the map when its call completed");
      calls.started.get(1).result().fail(new IllegalStateException("no user 8"));
      assertEquals("no user 8", otherKey.cause().getMessage(), "a failure is shared as a result is");
      assertEquals(0, coalescer.size());
    });
  }

  @Test
  @DisplayName("a caller with a start of its own (a copy to revalidate) starts the call with it; a caller that joins takes that call's result, its own start unused")
  void theFirstCallersStart(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, (calls, coalescer) -> {
      List<String> ownStarts = new ArrayList<>();
      Coalescer.Call<Long, String> revalidating = (key, caller, cancellation) -> {
        ownStarts.add(caller);
        return calls.start(key, caller + " revalidating", cancellation);
      };
      Future<String> first = coalescer.get(7L, "a", new Cancellation(), revalidating);
      Future<String> joined = coalescer.get(7L, "b", new Cancellation(), (key, caller, cancellation) -> {
        ownStarts.add("never");
        return Future.failedFuture("not started");
      });
      Future<String> plain = coalescer.get(7L, "c", new Cancellation());
      assertEquals(List.of("a"), ownStarts);
      assertEquals(List.of("a revalidating"), calls.started.stream().map(Call::caller).toList());
      calls.started.get(0).result().complete("user 7, confirmed");
      assertEquals(List.of("user 7, confirmed", "user 7, confirmed", "user 7, confirmed"),
        List.of(first.result(), joined.result(), plain.result()));
      assertEquals(0, coalescer.size());
    });
  }

  @Test
  @DisplayName("a caller that cancels leaves alone: the call goes on and the callers still waiting get its result")
  void oneCallerLeaves(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, (calls, coalescer) -> {
      Cancellation leaves = new Cancellation();
      Future<String> leaving = coalescer.get(7L, "a", leaves);
      Future<String> staying = coalescer.get(7L, "a", new Cancellation());
      Future<String> alsoStaying = coalescer.get(7L, "a", new Cancellation());

      leaves.cancel();
      assertInstanceOf(CancelledException.class, leaving.cause(), "the caller that left hears at once");
      assertFalse(calls.started.get(0).cancellation().isCancelled(), "two callers still wait: the call goes on");
      assertFalse(staying.isComplete());

      calls.started.get(0).result().complete("user 7");
      assertEquals("user 7", staying.result());
      assertEquals("user 7", alsoStaying.result());
      assertEquals(0, coalescer.size());
      assertEquals(1, calls.started.size(), "the caller that left started nothing of its own");
    });
  }

  @Test
  @DisplayName("when the last caller cancels, the call is cancelled")
  void lastCallerCancels(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, (calls, coalescer) -> {
      Cancellation first = new Cancellation();
      Cancellation second = new Cancellation();
      Future<String> firstCaller = coalescer.get(7L, "a", first);
      Future<String> secondCaller = coalescer.get(7L, "a", second);
      Cancellation call = calls.started.get(0).cancellation();

      first.cancel();
      assertFalse(call.isCancelled(), "one caller still waits");
      second.cancel();
      assertTrue(call.isCancelled(), "nobody waits any more");
      assertInstanceOf(CancelledException.class, firstCaller.cause());
      assertInstanceOf(CancelledException.class, secondCaller.cause());
    });
  }

  @Test
  @DisplayName("a caller that comes after the call was cancelled gets a new call; the old one ending late leaves the new one in place")
  void newCallAfterCancellation(Vertx vertx, VertxTestContext testContext) {
    onContext(vertx, testContext, (calls, coalescer) -> {
      Cancellation leaves = new Cancellation();
      coalescer.get(7L, "a", leaves);
      leaves.cancel();
      Call cancelled = calls.started.get(0);
      assertTrue(cancelled.cancellation().isCancelled());
      assertFalse(cancelled.result().future().isComplete(), "the cancelled work has not stopped yet");

      Future<String> latecomer = coalescer.get(7L, "a", new Cancellation());
      assertEquals(2, calls.started.size(), "the latecomer did not join the cancelled call");
      Call fresh = calls.started.get(1);
      assertFalse(fresh.cancellation().isCancelled());

      cancelled.result().complete("stale user 7");
      assertFalse(latecomer.isComplete(), "the old call's result is not the latecomer's");
      assertEquals(1, coalescer.size(), "the old call leaving the map did not take the new one with it");
      Future<String> joins = coalescer.get(7L, "a", new Cancellation());
      assertEquals(2, calls.started.size(), "a third caller joins the new call");

      fresh.result().complete("user 7");
      assertEquals("user 7", latecomer.result());
      assertEquals("user 7", joins.result());
      assertEquals(0, coalescer.size());
    });
  }

  @Test
  @DisplayName("a call that ends at once (refused before it starts) answers its caller and is not left in the map")
  void callThatEndsAtOnce(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      Coalescer<Long, String> coalescer = new Coalescer<>(
        (key, caller, cancellation) -> Future.failedFuture(new IllegalStateException("refused")));
      assertEquals("refused", coalescer.get(7L, "a", new Cancellation()).cause().getMessage());
      assertEquals(0, coalescer.size());
      testContext.completeNow();
    }));
  }

}
