package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The budget on an injected clock that stands still unless a test moves it: every turn is computed, not
 * measured. It runs on one Vert.x context, as in the fetch verticle; its timers are real, so a waiter whose
 * turn comes when the clock is moved is let go by the next timer.
 */
class DirectoryBudgetTest {

  private static final String USER = DirectoryBudget.USER;
  private static final long MS = 1_000_000L;

  private Vertx vertx;
  private Context context;
  private final AtomicLong clock = new AtomicLong(1_000 * MS);

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** {@code body} on the budget's context, its result or its failure (an assertion's too) here. */
  private <T> T on(Callable<T> body) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        done.complete(body.call());
      } catch (Throwable failure) {
        done.fail(failure);
      }
    });
    try {
      return done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw (Exception) e.getCause();
    }
  }

  private DirectoryBudget budget(int reserve) throws Exception {
    return on(() -> new DirectoryBudget(vertx, true, reserve, clock::get));
  }

  /** What a directory says: {@code remaining} calls, the reset {@code resetMs} away, to the millisecond (no margin). */
  private static RateLimitHeaders says(long remaining, long resetMs) {
    return new RateLimitHeaders(-1, remaining, resetMs, false, false, -1, -1);
  }

  private Future<DirectoryBudget.Slot> take(DirectoryBudget budget, String endpoint, long maxWaitMs) throws Exception {
    return on(() -> budget.await(endpoint, maxWaitMs, new Cancellation()));
  }

  /** A slot that must be given at once. */
  private DirectoryBudget.Slot now(DirectoryBudget budget, String endpoint) throws Exception {
    Future<DirectoryBudget.Slot> slot = take(budget, endpoint, 60_000);
    assertTrue(slot.succeeded(), "a turn at once, not " + slot);
    return slot.result();
  }

  /** The message of the failure a wait of {@code maxWaitMs} meets at once. */
  private String refusal(DirectoryBudget budget, long maxWaitMs) throws Exception {
    Future<DirectoryBudget.Slot> slot = take(budget, USER, maxWaitMs);
    assertTrue(slot.failed(), "refused at once, not " + slot);
    UsergateException error = assertInstanceOf(UsergateException.class, slot.cause());
    assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, error.code());
    return error.getMessage();
  }

  private void answer(DirectoryBudget.Slot slot, RateLimitHeaders said) throws Exception {
    on(() -> {
      slot.answered(said);
      return null;
    });
  }

  private void moveClock(long ms) {
    clock.addAndGet(ms * MS);
  }

  @Test
  @DisplayName("before the first answer one call asks alone; once answers say nothing of a budget, every call goes at once")
  void nothingSaidNoWait() throws Exception {
    DirectoryBudget budget = budget(1);
    DirectoryBudget.Slot first = now(budget, USER);
    List<Future<DirectoryBudget.Slot>> held = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      held.add(take(budget, USER, 60_000));
    }
    assertTrue(held.stream().noneMatch(Future::isComplete), "no burst into a budget nobody knows yet");
    answer(first, RateLimitHeaders.NONE);
    assertTrue(held.stream().allMatch(Future::succeeded), "the directory keeps no budget: all go");
    for (Future<DirectoryBudget.Slot> slot : held) {
      answer(slot.result(), RateLimitHeaders.NONE);
    }
    answer(now(budget, USER), RateLimitHeaders.NONE);
    for (int i = 0; i < 100; i++) {
      now(budget, USER);
    }
    assertFalse(on(() -> budget.exhausted(USER)));
  }

  @Test
  @DisplayName("the reset passed with no answer since: one call asks first, the others wait for its answer; an answer "
    + "with no budget, or none at all, lets them all go")
  void probeAfterReset() throws Exception {
    DirectoryBudget budget = budget(0);
    answer(now(budget, USER), says(5, 1000));
    moveClock(1000);
    DirectoryBudget.Slot probe = now(budget, USER);
    Future<DirectoryBudget.Slot> second = take(budget, USER, 60_000);
    assertFalse(second.isComplete(), "nobody knows the new window yet: no burst into it");
    answer(probe, RateLimitHeaders.NONE);
    assertTrue(second.succeeded());
    answer(second.result(), says(5, 1000));
    moveClock(1000);
    DirectoryBudget.Slot lost = now(budget, USER);
    Future<DirectoryBudget.Slot> third = take(budget, USER, 60_000);
    assertFalse(third.isComplete());
    on(() -> {
      lost.sent();
      lost.close();  // a timeout: waiting for that answer any longer holds everyone back for nothing
      return null;
    });
    assertTrue(third.succeeded());
  }

  @Test
  @DisplayName("calls left are spread evenly to the reset, the next one (time since the last) / (calls left + 1) after it; "
    + "the reserve is never spent")
  void spread() throws Exception {
    DirectoryBudget budget = budget(1);
    answer(now(budget, USER), says(11, 1000));
    now(budget, USER);  // the first of what the answer allows goes at once: 10 left, 9 usable
    assertTrue(refusal(budget, 99).contains("in 100 ms"), "1000 ms / (9 + 1)");
    moveClock(100);
    now(budget, USER);
    assertTrue(refusal(budget, 0).contains("in 100 ms"), "900 ms / (8 + 1)");
    moveClock(50);
    assertTrue(refusal(budget, 0).contains("in 50 ms"));
    moveClock(50);
    for (int i = 0; i < 8; i++) {
      if (i > 0) {
        moveClock(100);
      }
      now(budget, USER);
    }
    // 10 calls went; the eleventh is the reserve: the next call waits for the reset.
    assertTrue(on(() -> budget.exhausted(USER)));
    assertTrue(refusal(budget, 0).contains("in 100 ms"), refusal(budget, 0));
  }

  @Test
  @DisplayName("calls in flight count against an answer's figure, which cannot show them yet")
  void inFlightCounts() throws Exception {
    DirectoryBudget budget = budget(0);
    DirectoryBudget.Slot probe = now(budget, USER);
    answer(probe, says(100, 60_000));
    DirectoryBudget.Slot first = now(budget, USER);
    for (int i = 0; i < 4; i++) {
      moveClock(1000);
      now(budget, USER);
    }
    // The directory counted the first call only: 99 left by its count, four more are on their way.
    answer(first, says(4, 56_000));
    assertTrue(on(() -> budget.exhausted(USER)), "4 - 4 in flight: none left");
  }

  @Test
  @DisplayName("spent: every call waits for the reset (a second more for one that may be early), then one call asks "
    + "first and its answer opens the new window")
  void spentWaitsForReset() throws Exception {
    DirectoryBudget budget = budget(1);
    answer(now(budget, USER), new RateLimitHeaders(60, 1, 2000, true, true, -1, -1));
    assertTrue(on(() -> budget.exhausted(USER)));
    assertTrue(refusal(budget, 2999).contains("in 3000 ms"), "2 s, and a second for the header's resolution");
    Future<DirectoryBudget.Slot> waiter = take(budget, USER, 60_000);
    Future<DirectoryBudget.Slot> next = take(budget, USER, 60_000);
    moveClock(2999);
    assertFalse(waiter.isComplete());
    moveClock(1);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(waiter::succeeded);
    assertFalse(next.isComplete(), "after the reset one call goes first, the others wait for its answer");
    assertFalse(on(() -> budget.exhausted(USER)));
    answer(waiter.result(), says(58, 10_000));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(next::succeeded);
  }

  @Test
  @DisplayName("answers out of order: within one window the lowest figure stands, and an older window's answer is ignored")
  void outOfOrder() throws Exception {
    DirectoryBudget budget = budget(0);
    answer(now(budget, USER), says(30, 10_000));
    DirectoryBudget.Slot a = now(budget, USER);
    moveClock(1000);
    DirectoryBudget.Slot b = now(budget, USER);
    answer(b, says(1, 9_000));  // b came to the directory after calls we never saw: 1 left, a in flight
    assertTrue(on(() -> budget.exhausted(USER)), "1 - 1 in flight");
    answer(a, says(20, 9_000));  // a, older, says more: the lower figure stands
    assertTrue(on(() -> budget.exhausted(USER)));
    moveClock(9_000);
    DirectoryBudget.Slot probe = now(budget, USER);
    answer(probe, says(29, 10_000));
    assertFalse(on(() -> budget.exhausted(USER)));
    DirectoryBudget.Slot next = now(budget, USER);
    // An answer whose reset lies a window back (overtaken by the new window's) says nothing of the new window.
    moveClock(5);
    answer(next, says(0, 1));
    assertFalse(on(() -> budget.exhausted(USER)));
  }

  @Test
  @DisplayName("a waiter whose turn would come after its deadline fails UPSTREAM_UNAVAILABLE at once, or as soon as an "
    + "answer makes it so; a cancelled waiter leaves at once")
  void deadlines() throws Exception {
    DirectoryBudget budget = budget(0);
    answer(now(budget, USER), says(2, 10_000));
    DirectoryBudget.Slot inFlight = now(budget, USER);
    assertTrue(refusal(budget, 1000).contains("in 5000 ms"), "10 s / (1 + 1)");
    Future<DirectoryBudget.Slot> patient = take(budget, USER, 6000);
    assertFalse(patient.isComplete());
    // The directory counted more calls than ours: none left, 10 s to the reset.
    answer(inFlight, says(0, 10_000));
    assertTrue(patient.failed(), "it cannot wait 10 s: told at once");
    assertTrue(patient.cause().getMessage().contains("in 10000 ms"), patient.cause().getMessage());
    Cancellation cancellation = new Cancellation();
    Future<DirectoryBudget.Slot> cancelled = on(() -> budget.await(USER, 60_000, cancellation));
    on(() -> {
      cancellation.cancel();
      return null;
    });
    assertInstanceOf(CancelledException.class, cancelled.cause());
    assertEquals(0, (int) on(budget::waiting));
  }

  @Test
  @DisplayName("a call never sent gives its place back; one sent and never answered stays spent")
  void unusedPlacesComeBack() throws Exception {
    DirectoryBudget budget = budget(0);
    answer(now(budget, USER), says(2, 10_000));
    DirectoryBudget.Slot unused = now(budget, USER);
    on(() -> {
      unused.close();
      return null;
    });
    moveClock(5000);
    DirectoryBudget.Slot lost = now(budget, USER);
    on(() -> {
      lost.sent();
      lost.close();
      return null;
    });
    moveClock(2500);
    now(budget, USER);
    assertTrue(on(() -> budget.exhausted(USER)), "2 calls: the one given back, then the lost one and this one");
  }

  @Test
  @DisplayName("each endpoint keeps its own budget (Okta: one user, the list, the search)")
  void perEndpoint() throws Exception {
    DirectoryBudget budget = budget(0);
    answer(now(budget, USER), says(0, 10_000));
    assertTrue(on(() -> budget.exhausted(USER)));
    DirectoryBudget.Slot list = now(budget, DirectoryBudget.LIST);
    answer(list, says(50, 10_000));
    now(budget, DirectoryBudget.LIST);
    now(budget, DirectoryBudget.BULK);
    assertFalse(on(() -> budget.exhausted(DirectoryBudget.LIST)));
    assertEquals(0, on(() -> budget.status().getJsonObject(USER).getLong("remaining")));
    assertEquals(49, on(() -> budget.status().getJsonObject(DirectoryBudget.LIST).getLong("remaining")));
  }

  @Test
  @DisplayName("upstream.rateLimitHeaders false: every call goes at once, whatever was said")
  void disabled() throws Exception {
    DirectoryBudget budget = on(() -> new DirectoryBudget(vertx, false, 1, clock::get));
    answer(now(budget, USER), says(0, 10_000));
    for (int i = 0; i < 10; i++) {
      now(budget, USER);
    }
    assertFalse(on(() -> budget.exhausted(USER)));
  }
}
