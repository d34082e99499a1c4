package io.usergate.sync;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sync's due timer on a real Vert.x: when it fires, what replaces it, its floor, its cancel. */
@ExtendWith(VertxExtension.class)
class NextRunTest {

  private static final long INTERVAL_MS = 60_000;

  /** When {@code due} ran, epoch ms. */
  private final List<Long> runs = new CopyOnWriteArrayList<>();

  /** Runs {@code work} on {@code context}, as the sync verticle uses its NextRun, and returns its result. */
  private static <T> T on(Context context, Supplier<T> work) throws Exception {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> result.complete(work.get()));
    return result.future().await(10, TimeUnit.SECONDS);
  }

  private NextRun nextRun(Context context, long floorMs) throws Exception {
    return on(context, () -> new NextRun(context.owner(), INTERVAL_MS, floorMs, () -> runs.add(System.currentTimeMillis())));
  }

  private void awaitRuns(int count) {
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> runs.size() >= count);
  }

  @Test
  @DisplayName("a job due in 150 ms runs once, no sooner, long before the next tick; then the next run is the tick again")
  void runsWhenDue(Vertx vertx) throws Exception {
    Context context = vertx.getOrCreateContext();
    NextRun nextRun = nextRun(context, 0);
    long periodic = on(context, nextRun::at);
    long before = System.currentTimeMillis();
    long at = on(context, () -> {
      nextRun.dueIn(150);
      return nextRun.at();
    });
    long after = System.currentTimeMillis();
    assertTrue(at >= before + 150 && at <= after + 150, "next run " + (at - before) + " ms ahead, not the tick's " + (periodic - before));
    awaitRuns(1);
    assertTrue(runs.get(0) >= before + 150 - 1, "ran " + (runs.get(0) - before) + " ms after being told 150");
    assertFalse(on(context, nextRun::armed), "nothing left armed");
    assertEquals(periodic, on(context, nextRun::at), "the next run is the periodic tick");
    assertEquals(1, runs.size());
  }

  @Test
  @DisplayName("an earlier due time replaces the one armed, a later one leaves it: one run, nothing else armed")
  void earliestWins(Vertx vertx) throws Exception {
    Context context = vertx.getOrCreateContext();
    NextRun nextRun = nextRun(context, 0);
    long before = System.currentTimeMillis();
    long at = on(context, () -> {
      nextRun.dueIn(5_000);
      nextRun.dueIn(100);
      nextRun.dueIn(3_000);
      return nextRun.at();
    });
    assertTrue(at - before < 1_000, "the earliest, 100 ms: " + (at - before));
    awaitRuns(1);
    assertTrue(runs.get(0) - before < 1_000, "ran after " + (runs.get(0) - before) + " ms");
    assertFalse(on(context, nextRun::armed), "the 5 s one was cancelled and the 3 s one never armed");
  }

  @Test
  @DisplayName("never sooner than the floor after the last batch started, even when a batch starts after the timer was armed")
  void floor(Vertx vertx) throws Exception {
    Context context = vertx.getOrCreateContext();
    NextRun nextRun = nextRun(context, 300);
    long started = on(context, () -> {
      nextRun.batchStarted();
      nextRun.dueIn(0);
      return System.currentTimeMillis();
    });
    awaitRuns(1);
    assertTrue(runs.get(0) >= started + 300 - 1, "due at once, ran " + (runs.get(0) - started) + " ms after the batch started");

    // Armed for 100 ms from now; a batch (a wake-up, the tick) starts 50 ms later: the run waits for its floor.
    long armedAt = on(context, () -> {
      nextRun.dueIn(100);
      return System.currentTimeMillis();
    });
    assertTrue(armedAt >= started + 300, "the first floor is over");
    Promise<Long> secondStart = Promise.promise();
    context.runOnContext(v -> vertx.timer(50, TimeUnit.MILLISECONDS).onSuccess(t -> {
      nextRun.batchStarted();
      secondStart.complete(System.currentTimeMillis());
    }));
    long second = secondStart.future().await(5, TimeUnit.SECONDS);
    awaitRuns(2);
    assertTrue(runs.get(1) >= second + 300 - 1, "ran " + (runs.get(1) - second) + " ms after the second batch started");
  }

  @Test
  @DisplayName("cancelled (undeploy), an armed run never fires: the next one armed is the first to run")
  void cancel(Vertx vertx) throws Exception {
    Context context = vertx.getOrCreateContext();
    NextRun nextRun = nextRun(context, 0);
    long periodic = on(context, nextRun::at);
    long before = System.currentTimeMillis();
    on(context, () -> {
      nextRun.dueIn(50);
      nextRun.cancel();
      return null;
    });
    assertFalse(on(context, nextRun::armed));
    assertEquals(periodic, on(context, nextRun::at));
    on(context, () -> {
      nextRun.dueIn(300);
      return null;
    });
    awaitRuns(1);
    assertTrue(runs.get(0) >= before + 300 - 1, "the first run is the one armed for 300 ms, at " + (runs.get(0) - before));
  }
}
