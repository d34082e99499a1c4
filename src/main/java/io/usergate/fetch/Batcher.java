package io.usergate.fetch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Gathers the keys asked for within a short window into one call of a batch function (DataLoader's
 * idea, for the directory's bulk endpoint): the first key of a window starts a timer of {@code delayMs};
 * at {@code maxSize} keys the batch goes at once. A caller that cancels leaves its batch before it is
 * sent; a batch whose callers all left is cancelled, sent or not. Each caller's keys gather in batches
 * of their own, so that a batch is paid for by one caller's fair share. Confined to one Vert.x context.
 */
final class Batcher<K, V> {

  /** The batch function: one outcome per key, a value or the failure for that key alone. */
  interface BatchCall<K, V> {
    Future<Map<K, Outcome<V>>> call(List<K> keys, String caller, Cancellation cancellation);
  }

  private final class Entry {
    final K key;
    final Promise<V> promise = Promise.promise();
    boolean gone;

    Entry(K key) {
      this.key = key;
    }
  }

  private final Vertx vertx;
  private final long delayMs;
  private final int maxSize;
  /** One caller's keys waiting for their batch to go. */
  private final class Pending {
    final String caller;
    final List<Entry> entries = new ArrayList<>();
    Timer timer;

    Pending(String caller) {
      this.caller = caller;
    }
  }

  private final BatchCall<K, V> call;
  private final Map<String, Pending> pending = new HashMap<>();
  private long calls;

  Batcher(Vertx vertx, long delayMs, int maxSize, BatchCall<K, V> call) {
    this.vertx = vertx;
    this.delayMs = delayMs;
    this.maxSize = maxSize;
    this.call = call;
  }

  /** The value of {@code key}, in the next batch of {@code who}. */
  Future<V> load(K key, String who, Cancellation caller) {
    if (caller.isCancelled()) {
      return Future.failedFuture(new CancelledException());
    }
    Entry entry = new Entry(key);
    Pending batch = pending.computeIfAbsent(who, Pending::new);
    batch.entries.add(entry);
    caller.onCancel(() -> {
      entry.gone = true;
      entry.promise.tryFail(new CancelledException());
    });
    if (batch.entries.size() >= maxSize) {
      flush(batch);
    } else if (batch.timer == null) {
      batch.timer = vertx.timer(Math.max(1, delayMs), TimeUnit.MILLISECONDS);
      batch.timer.onSuccess(fired -> flush(batch));
    }
    return entry.promise.future();
  }

  /** Batch calls made so far. */
  long calls() {
    return calls;
  }

  private void flush(Pending gathered) {
    if (gathered.timer != null) {
      gathered.timer.cancel();
    }
    pending.remove(gathered.caller, gathered);
    List<Entry> batch = new ArrayList<>();
    for (Entry entry : gathered.entries) {
      if (!entry.gone) {
        batch.add(entry);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    calls++;
    Cancellation cancellation = new Cancellation();
    for (Entry entry : batch) {
      entry.promise.future().onFailure(failure -> {
        if (failure instanceof CancelledException && batch.stream().allMatch(other -> other.gone)) {
          cancellation.cancel();
        }
      });
    }
    List<K> keys = batch.stream().map(entry -> entry.key).toList();
    call.call(keys, gathered.caller, cancellation).onComplete(done -> {
      for (Entry entry : batch) {
        if (done.failed()) {
          entry.promise.tryFail(done.cause());
          continue;
        }
        Outcome<V> outcome = done.result().get(entry.key);
        if (outcome instanceof Outcome.Found<V> found) {
          entry.promise.tryComplete(found.value());
        } else if (outcome instanceof Outcome.Failed<V> failed) {
          entry.promise.tryFail(failed.error());
        } else {
          entry.promise.tryFail(new IllegalStateException("the batch call gave no outcome for " + entry.key));
        }
      }
    });
  }
}
