package io.usergate.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.buffer.Buffer;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The web edge's copies of what the fetch verticle answered for {@code GET /users/{id}}, so that a hit
 * (a copy fresh for the caller, by the fetch room's own {@code Freshness} rule) crosses no bus: each held
 * as the bytes served and the headers made from them, computed once. Filled from fetch's answers, never
 * from a stale fallback; dropped when fetch says its copy is gone ({@code usergate.fetch.copy-gone}: removed,
 * evicted, replaced by a different one). A fill that began before a drop does not happen ({@link #stamp()}),
 * so the edge never answers a copy fetch has let go of. Held no longer than a copy can be fresh; confined to
 * the web verticle's context.
 */
final class EdgeCopies {

  /** A copy as answered: its bytes, when it was fetched, and the headers that only depend on those. */
  record Copy(Buffer encoded, Instant fetchedAt, String fetchedAtText, String etag, String lastModified) {

    long ageMs(Instant now) {
      return Math.max(0, now.toEpochMilli() - fetchedAt.toEpochMilli());
    }
  }

  private final Cache<Long, Copy> copies;
  private final boolean enabled;
  private long drops;

  /**
   * @param maxUsers  how many at the most (fetch's own bound, {@code cache.hotUsers}); 0 keeps none
   * @param freshForMs how long a copy can be fresh for anyone ({@code cache.freshForMs}); 0 keeps none
   */
  EdgeCopies(long maxUsers, long freshForMs) {
    this.enabled = maxUsers > 0 && freshForMs > 0;
    this.copies = Caffeine.newBuilder()
      .maximumSize(Math.max(0, maxUsers))
      // Maintenance on the web's event loop, where every call comes from: no pool thread for it.
      .executor(Runnable::run)
      .expireAfter(new Expiry<Long, Copy>() {
        @Override
        public long expireAfterCreate(Long id, Copy copy, long currentTime) {
          return TimeUnit.MILLISECONDS.toNanos(Math.max(0, freshForMs - copy.ageMs(Instant.now())));
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

  Copy get(long id) {
    return enabled ? copies.getIfPresent(id) : null;
  }

  /** What an answer reports back with its copy, to {@link #fill}. */
  long stamp() {
    return drops;
  }

  /** An answer of fetch as a copy: its headers made once, for its own answer and for every hit after it. */
  static Copy of(Buffer encoded, String fetchedAtText) {
    Instant fetchedAt = Instant.parse(fetchedAtText);
    return new Copy(encoded, fetchedAt, fetchedAtText, CacheHeaders.etag(encoded), CacheHeaders.lastModified(fetchedAt));
  }

  /** Keeps {@code copy} (what fetch answered) unless a drop happened since the request left ({@code stamp}). */
  void fill(long id, Copy copy, long stamp) {
    if (enabled && stamp == drops) {
      // Exactly the bytes: an encoder's buffer has room to spare.
      copies.put(id, new Copy(Buffer.buffer(copy.encoded().getBytes()), copy.fetchedAt(), copy.fetchedAtText(), copy.etag(),
        copy.lastModified()));
    }
  }

  void drop(long id) {
    drops++;
    copies.invalidate(id);
  }

  long size() {
    copies.cleanUp();
    return copies.estimatedSize();
  }
}
