package io.usergate.fetch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class BatcherTest {

  /** Runs {@code work} on one event-loop context, as the fetch verticle does, and waits for its result. */
  private static <T> T onContext(Vertx vertx, Supplier<Future<T>> work) throws Exception {
    Context context = vertx.getOrCreateContext();
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(result));
    return result.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("keys asked within the window go in one call, split at maxSize; each key gets its own outcome")
  void groups(Vertx vertx) throws Exception {
    List<List<Long>> calls = new CopyOnWriteArrayList<>();
    Batcher<Long, String> batcher = new Batcher<>(vertx, 20, 100, (keys, caller, cancellation) -> {
      calls.add(keys);
      Map<Long, Outcome<String>> outcomes = new HashMap<>();
      keys.forEach(key -> outcomes.put(key, key % 10 == 0 ? Outcome.failed(new IllegalArgumentException("no " + key))
        : Outcome.found("user " + key)));
      return Future.succeededFuture(outcomes);
    });
    List<?> results = onContext(vertx, () -> {
      List<Future<String>> futures = new ArrayList<>();
      for (long key = 1; key <= 250; key++) {
        futures.add(batcher.load(key, "a", new Cancellation()));
      }
      return Future.join(futures).transform(done -> Future.succeededFuture(futures.stream().map(f -> f.succeeded() ? (Object) f.result() : f.cause()).toList()));
    });
    assertEquals(List.of(100, 100, 50), calls.stream().map(List::size).toList());
    assertEquals("user 1", results.get(0));
    assertInstanceOf(IllegalArgumentException.class, results.get(9), "the failure of key 10 alone");
    assertEquals("user 11", results.get(10));
  }

  @Test
  @DisplayName("a caller that cancels leaves its batch before it is sent; a batch whose callers all left is cancelled")
  void cancellation(Vertx vertx) throws Exception {
    List<List<Long>> calls = new CopyOnWriteArrayList<>();
    List<Cancellation> batchCancellations = new CopyOnWriteArrayList<>();
    Batcher<Long, String> batcher = new Batcher<>(vertx, 20, 100, (keys, caller, cancellation) -> {
      calls.add(keys);
      batchCancellations.add(cancellation);
      return Promise.<Map<Long, Outcome<String>>>promise().future();  // never answers: only a cancellation ends it
    });
    onContext(vertx, () -> {
      Cancellation leaves = new Cancellation();
      Future<String> gone = batcher.load(1L, "a", leaves);
      Cancellation stays = new Cancellation();
      batcher.load(2L, "a", stays);
      leaves.cancel();
      assertTrue(gone.failed() && gone.cause() instanceof CancelledException);
      return vertx.timer(100, TimeUnit.MILLISECONDS).map(t -> {
        assertEquals(List.of(List.of(2L)), calls, "only the key still wanted was sent");
        assertTrue(!batchCancellations.get(0).isCancelled());
        stays.cancel();
        assertTrue(batchCancellations.get(0).isCancelled(), "its last caller left: the call is cancelled");
        return "ok";
      });
    });
    onContext(vertx, () -> {
      Cancellation only = new Cancellation();
      batcher.load(3L, "a", only);
      only.cancel();
      return vertx.timer(100, TimeUnit.MILLISECONDS).map(t -> {
        assertEquals(1, calls.size(), "a batch with nobody left is not sent");
        return "ok";
      });
    });
  }

  @Test
  @DisplayName("each caller's keys go in batches of their own, each sent for its caller")
  void batchesPerCaller(Vertx vertx) throws Exception {
    Map<String, List<Long>> calls = new ConcurrentHashMap<>();
    Batcher<Long, String> batcher = new Batcher<>(vertx, 20, 100, (keys, caller, cancellation) -> {
      calls.put(caller, keys);
      Map<Long, Outcome<String>> outcomes = new HashMap<>();
      keys.forEach(key -> outcomes.put(key, Outcome.found(caller + " " + key)));
      return Future.succeededFuture(outcomes);
    });
    List<?> results = onContext(vertx, () -> {
      List<Future<String>> futures = List.of(batcher.load(1L, "noisy", new Cancellation()),
        batcher.load(2L, "quiet", new Cancellation()), batcher.load(3L, "noisy", new Cancellation()));
      return Future.all(futures).map(all -> futures.stream().map(Future::result).toList());
    });
    assertEquals(Map.of("noisy", List.of(1L, 3L), "quiet", List.of(2L)), calls);
    assertEquals(List.of("noisy 1", "quiet 2", "noisy 3"), results);
  }
}
