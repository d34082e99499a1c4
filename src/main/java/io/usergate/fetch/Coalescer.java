package io.usergate.fetch;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.Map;

/**
 * Concurrent requests for one key share one call: the first caller starts it, the callers that come while
 * it runs join it, and each caller can leave (cancel) on its own. The call is cancelled only when the last
 * of its callers has left; a caller that comes after that gets a call of its own. A call leaves the map
 * when it completes, before its callers hear of it.
 *
 * <p>Generic over the key and the result: what a call does (a permit, the upstream, the write-through's
 * bookkeeping) is the verticle's, so this class and its test know nothing of users or of HTTP. A call is
 * started for the caller who asked first (its fair share pays for it); later callers of the key join it.
 * Confined to one Vert.x context (the fetch verticle's): no locks, no atomics.
 */
final class Coalescer<K, V> {

  /** One call for one key, shared by every caller that wants that key while it runs. */
  private final class Shared {
    final Cancellation cancellation = new Cancellation();
    final Future<V> result;
    int waiting;

    Shared(K key, String caller, Call<K, V> start) {
      result = start.start(key, caller, cancellation).andThen(done -> calls.remove(key, this));
    }

    /** This caller's view of the call: it can leave on its own; the last one to leave cancels the call. */
    Future<V> join(Cancellation caller) {
      waiting++;
      caller.onCancel(() -> {
        if (!result.isComplete() && --waiting == 0) {
          cancellation.cancel();
        }
      });
      return caller.race(result);
    }
  }

  /** The work for a key, started for {@code caller}; it must undo that work when its cancellation fires. */
  interface Call<K, V> {
    Future<V> start(K key, String caller, Cancellation cancellation);
  }

  private final Call<K, V> call;
  private final Map<K, Shared> calls = new HashMap<>();

  Coalescer(Call<K, V> call) {
    this.call = call;
  }

  /** The result for {@code key}: joins the call already running for it, or starts one for {@code who}. */
  Future<V> get(K key, String who, Cancellation caller) {
    return get(key, who, caller, call);
  }

  /**
   * As {@link #get(Object, String, Cancellation)}, but a call this caller starts is {@code start}'s: the caller
   * knows something to start it with (a copy to revalidate). A caller that joins a running call takes its result.
   */
  Future<V> get(K key, String who, Cancellation caller, Call<K, V> start) {
    Shared shared = calls.get(key);
    // A call whose callers all left is being cancelled: a new caller needs a call of its own.
    if (shared == null || shared.cancellation.isCancelled()) {
      shared = new Shared(key, who, start);
      if (!shared.result.isComplete()) {
        calls.put(key, shared);
      }
    }
    return shared.join(caller);
  }

  /** Calls running now (each shared by one or more callers). */
  int size() {
    return calls.size();
  }
}
