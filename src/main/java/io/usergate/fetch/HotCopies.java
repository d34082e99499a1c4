package io.usergate.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.usergate.user.RecentDrops;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The fetch room's copies of hot users, so that a cache hit costs no mirror read: filled by every live
 * fetch (the mirror's next copy, before its write-through commits) and by every mirror read, emptied of a
 * user the upstream no longer has. A copy is dropped once it can no longer be fresh for anyone
 * ({@code keepMs} after it was fetched), and the least used go first beyond {@code maxUsers}.
 * Every fetch through this node passes here; any other write to the mirror drops the copy when its change
 * arrives (FetchVerticle), and a mirror read on its way then does not put back what it read; without
 * the change feed nothing does, which is why a copy is served only within its freshness, like any HTTP
 * cache's.
 */
final class HotCopies {

  /**
   * A user's copy, when it was fetched from the upstream, and where this answer found it: {@link #MEMORY}
   * (a copy held here) or {@link #STORE} (the mirror's, read for this answer): {@code X-Usergate-Source}.
   */
  record Copy(JsonObject user, Instant fetchedAt, String source) {

    static final String MEMORY = "memory";
    static final String STORE = "store";

    long ageMs(Instant now) {
      return Math.max(0, now.toEpochMilli() - fetchedAt.toEpochMilli());
    }
  }

  /**
   * Removals remembered per user, for the mirror reads still on their way (each a few milliseconds). Every
   * change of the mirror is one, a walk's included, so the bound stays small (some 300 KB); a read that
   * more removals than this overtook keeps nothing, and the next read of its users fills the copies.
   */
  static final int REMEMBERED_DROPS = 4_096;

  private final long keepMs;
  private final Cache<Long, Copy> copies;
  private final LongConsumer gone;
  private final RecentDrops removals = new RecentDrops(REMEMBERED_DROPS);

  /**
   * @param maxUsers how many copies at the most; 0 keeps none
   * @param keepMs   how long after its fetch a copy may still be of use
   * @param gone     told the id of a copy that was removed, evicted for room, or replaced by a different one
   */
  HotCopies(long maxUsers, long keepMs, LongConsumer gone) {
    this.keepMs = keepMs;
    this.gone = gone;
    this.copies = Caffeine.newBuilder()
      .maximumSize(maxUsers)
      // Maintenance on the caller's thread (the fetch verticle's event loop): no pool thread for it.
      .executor(Runnable::run)
      // Expired copies are not told: no copy of a copy outlives its freshness, which ends before keepMs.
      .<Long, Copy>removalListener((id, copy, cause) -> {
        if (id != null && cause.wasEvicted() && cause != RemovalCause.EXPIRED) {
          gone.accept(id);
        }
      })
      .expireAfter(new Expiry<Long, Copy>() {
        @Override
        public long expireAfterCreate(Long id, Copy copy, long currentTime) {
          return TimeUnit.MILLISECONDS.toNanos(Math.max(0, keepMs - copy.ageMs(Instant.now())));
        }

        @Override
        public long expireAfterUpdate(Long id, Copy copy, long currentTime, long currentDuration) {
          return expireAfterCreate(id, copy, currentTime);
        }

        @Override
        public long expireAfterRead(Long id, Copy copy, long currentTime, long currentDuration) {
          return currentDuration;
        }
      })
      .build();
  }

  /** What a mirror read takes before it leaves, and hands back to {@link #offer(long, JsonObject, Instant, long)}. */
  long stamp() {
    return removals.stamp();
  }

  /**
   * A copy read from the mirror by a read stamped {@code stamp}: kept as {@link #offer(long, JsonObject, Instant)}
   * does, unless that user was removed since the read left (its change arrived while the read was on its way,
   * and what it read may be what the change replaced).
   */
  void offer(long id, JsonObject user, Instant fetchedAt, long stamp) {
    if (!removals.droppedSince(id, stamp)) {
      offer(id, user, fetchedAt);
    }
  }

  /** Keeps {@code user} (just fetched) unless a copy fetched later is already here. */
  void offer(long id, JsonObject user, Instant fetchedAt) {
    if (keepMs > 0) {
      boolean[] replacedByAnother = new boolean[1];
      copies.asMap().merge(id, new Copy(user, fetchedAt, Copy.MEMORY), (known, offered) -> {
        if (offered.fetchedAt().isBefore(known.fetchedAt())) {
          return known;
        }
        replacedByAnother[0] = !known.user().equals(offered.user());
        return offered;
      });
      if (replacedByAnother[0]) {
        gone.accept(id);
      }
    }
  }

  void remove(long id) {
    // Remembered even when there is no copy: a mirror read on its way must not bring one back.
    removals.dropped(id);
    if (copies.asMap().remove(id) != null) {
      gone.accept(id);
    }
  }

  /** The copy of {@code id}, or null. */
  Copy get(long id) {
    return copies.getIfPresent(id);
  }

  long size() {
    copies.cleanUp();
    return copies.estimatedSize();
  }
}
