package io.usergate.fetch;

import io.usergate.bus.SharedJsonCodec;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreMessages;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Writes the users fetched to the store, batched: the users of concurrent requests within
 * {@code delayMs} go out as one upsert (one {@code unnest} statement), which is what lets the store keep
 * up. Callers are answered without waiting for it; a failed write is logged and counted, never sent to
 * a caller. A user the directory marks inactive under {@code sync.inactive} remove goes out of the mirror the same
 * way ({@link #remove}). Confined to the fetch verticle's context.
 */
final class WriteThrough {

  private static final Logger LOG = LoggerFactory.getLogger(WriteThrough.class);
  private static final int MAX_BATCH = 1000;
  /** How many recently written users are remembered to skip identical rewrites. */
  private static final int REMEMBERED = 100_000;

  /** What was last written for a user: its content's hash and when. */
  private record Written(int hash, long atMillis) {
  }

  private final Vertx vertx;
  private final long delayMs;
  private final long minIntervalMs;
  private final Map<String, Written> recentlyWritten = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
      return size() > REMEMBERED;
    }
  };
  private final Map<String, JsonObject> pending = new LinkedHashMap<>();
  /** Ids to remove from the mirror with the next flush. */
  private final Set<String> removals = new LinkedHashSet<>();
  /** The directory's ETag of each pending user that came with one. */
  private final Map<String, String> pendingEtags = new HashMap<>();
  /** Copies the directory confirmed (a 304 to this ETag): only their fetch time is written. */
  private final Map<String, String> revalidated = new HashMap<>();
  private final List<Future<Void>> writing = new ArrayList<>();
  private Instant oldestFetch;
  /** The window of the batch pending, while one is open. */
  private Timer window;
  private long written;
  private long failed;
  private long skipped;
  private long removed;

  /**
   * @param minIntervalMs a user fetched again with the same content within this time of its last
   *                      write is not written again (0: always written)
   */
  WriteThrough(Vertx vertx, long delayMs, long minIntervalMs) {
    this.vertx = vertx;
    this.delayMs = delayMs;
    this.minIntervalMs = minIntervalMs;
  }

  /**
   * Queues users fetched at {@code fetchedAt}, each with the directory's ETag; a copy the directory confirmed
   * (a 304) has only its fetch time written. They are written within {@code delayMs}.
   */
  void add(Collection<Fetched> users, Instant fetchedAt) {
    long now = System.currentTimeMillis();
    boolean added = false;
    for (Fetched fetched : users) {
      User user = fetched.user();
      if (unchangedSinceRecentWrite(user, now)) {
        skipped++;
      } else if (fetched.notModified()) {
        // A whole write of the user pending already renews it, with its own ETag.
        if (!pending.containsKey(user.id())) {
          revalidated.put(user.id(), fetched.etag());
          added = true;
        }
      } else {
        pending.put(user.id(), user.profile());
        removals.remove(user.id());
        revalidated.remove(user.id());
        if (fetched.etag() != null) {
          pendingEtags.put(user.id(), fetched.etag());
        } else {
          pendingEtags.remove(user.id());
        }
        added = true;
      }
    }
    if (!added) {
      return;
    }
    if (oldestFetch == null || fetchedAt.isBefore(oldestFetch)) {
      oldestFetch = fetchedAt;
    }
    schedule();
  }

  /**
   * Removes user {@code id} from the mirror within {@code delayMs} (the store's delete: the feed records it, every
   * node drops its copy); a write of it still pending is dropped, and a later fetch of it is written whatever it holds.
   */
  void remove(String id) {
    pending.remove(id);
    pendingEtags.remove(id);
    revalidated.remove(id);
    if (pending.isEmpty()) {
      oldestFetch = null;
    }
    recentlyWritten.remove(id);
    if (removals.add(id)) {
      schedule();
    }
  }

  private void schedule() {
    if (pending.size() + revalidated.size() + removals.size() >= MAX_BATCH) {
      flush();
    } else if (window == null) {
      window = vertx.timer(Math.max(1, delayMs), TimeUnit.MILLISECONDS);
      window.onSuccess(closed -> flush());
    }
  }

  /**
   * A hot user fetched again and again would be rewritten identically many times a second, which is
   * what costs PostgreSQL most; within {@code minIntervalMs} an identical copy is skipped (its
   * {@code fetched_at} then lags by less than that).
   */
  private boolean unchangedSinceRecentWrite(User user, long now) {
    if (minIntervalMs <= 0) {
      return false;
    }
    int hash = user.profile().hashCode();
    Written last = recentlyWritten.get(user.id());
    if (last != null && last.hash() == hash && now - last.atMillis() < minIntervalMs) {
      return true;
    }
    recentlyWritten.put(user.id(), new Written(hash, now));
    return false;
  }

  /**
   * The upstream no longer has this user (a 404), so the sync removes it from the mirror: its last
   * write says nothing any more, and if it comes back, identical or not, it must be written.
   */
  void forget(String id) {
    recentlyWritten.remove(id);
  }

  private void flush() {
    if (window != null) {
      window.cancel();
      window = null;
    }
    removals.forEach(this::delete);
    removals.clear();
    if (pending.isEmpty() && revalidated.isEmpty()) {
      return;
    }
    List<JsonObject> users = new ArrayList<>(pending.values());
    List<String> confirmed = new ArrayList<>(revalidated.keySet());
    // The oldest fetch time of the batch: a row never claims to be fresher than it is.
    JsonObject upsert = StoreMessages.Upsert.toJson(users, pendingEtags, revalidated, oldestFetch);
    pending.clear();
    pendingEtags.clear();
    revalidated.clear();
    oldestFetch = null;
    Future<Void> write = vertx.eventBus().<JsonObject>request(StoreAddresses.UPSERT, upsert,
        SharedJsonCodec.requestOptions(vertx).setCodecName(SharedJsonCodec.NAME))
      .onSuccess(reply -> written += users.size() + confirmed.size())
      .onFailure(failure -> {
        failed += users.size() + confirmed.size();
        // Not written after all: the next fetch of these users must not be skipped as a rewrite.
        users.forEach(user -> recentlyWritten.remove(UserId.text(user.getValue("id"))));
        confirmed.forEach(recentlyWritten::remove);
        LOG.warn("fetch: write-through of {} user(s) to the store failed: {}", users.size(), failure.getMessage());
      })
      .<Void>mapEmpty()
      .recover(failure -> Future.succeededFuture());
    writing.add(write);
    write.onComplete(done -> writing.remove(write));
  }

  /** One removal: rare (a user turned inactive), so one statement each; a failure is logged like a failed write. */
  private void delete(String id) {
    Future<Void> delete = vertx.eventBus().<JsonObject>request(StoreAddresses.DELETE, new JsonObject().put("id", UserId.json(id)))
      .onSuccess(reply -> removed += reply.body().getInteger("deleted", 0))
      .onFailure(failure -> {
        failed++;
        LOG.warn("fetch: removing an inactive user from the store failed: {}", failure.getMessage());
      })
      .<Void>mapEmpty()
      .recover(failure -> Future.succeededFuture());
    writing.add(delete);
    delete.onComplete(done -> writing.remove(delete));
  }

  /** Writes what is pending and waits for the writes in flight: nothing fetched is lost on undeploy. */
  Future<Void> close() {
    flush();
    return Future.join(new ArrayList<>(writing)).mapEmpty();
  }

  long failedCount() {
    return failed;
  }

  JsonObject status() {
    return new JsonObject().put("written", written).put("failed", failed).put("skipped", skipped)
      .put("pending", pending.size() + revalidated.size()).put("removed", removed);
  }
}
